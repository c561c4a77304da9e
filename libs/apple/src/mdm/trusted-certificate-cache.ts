import { createHash, type X509Certificate } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * What one parsed certificate costs beside its DER: the X509Certificate object, its public KeyObject
 * and OpenSSL's decoded structures. Measured on Node 20: about 6 KB of RSS per 2048-bit RSA device
 * certificate (20,000 parsed and kept), so the byte bound holds in resident memory, not only in DER.
 */
export const PARSED_CERTIFICATE_OVERHEAD_BYTES = 6 * 1024;

/** Default bound: a few thousand phones' certificates per mdm process. */
export const DEFAULT_TRUSTED_CERTIFICATE_CACHE_BYTES = 32 * 1024 * 1024;

export const certificateSha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

interface TrustedEntry {
  certificate: X509Certificate;
  /** SHA-256 of the CA certificate that issued it: the verdict holds only while that CA is trusted. */
  issuerSha256: string;
}

/**
 * Device certificates that were proven to chain to a tenant CA, keyed by the SHA-256 of their DER,
 * bounded in bytes (least recently used go first). A phone signs every request with the same
 * certificate: parsing it and checking its issuer's signature once, not per request, is most of a
 * check-in's cost. Only proven certificates go in, so a stranger sending random certificates costs
 * the parse of his own request and nothing that outlives it. Validity dates are still checked on
 * every request.
 */
export class TrustedCertificateCache {
  private readonly certificates: LRUCache<string, TrustedEntry>;
  /** Tenant CA certificates, keyed by their PEM text (they come from the database, not from phones). */
  private readonly anchors = new LRUCache<string, X509Certificate[]>({ max: 1000 });

  constructor(maxBytes = DEFAULT_TRUSTED_CERTIFICATE_CACHE_BYTES) {
    this.certificates = new LRUCache<string, TrustedEntry>({
      maxSize: maxBytes,
      sizeCalculation: (entry) => entry.certificate.raw.length + PARSED_CERTIFICATE_OVERHEAD_BYTES,
    });
  }

  /** The parsed certificate with this DER, if it was proven trusted before. */
  get(sha256: string): X509Certificate | undefined {
    return this.certificates.get(sha256)?.certificate;
  }

  /** Whether this certificate was proven to be issued by the CA with this SHA-256. */
  issuedBy(sha256: string, issuerSha256: string): boolean {
    return this.certificates.get(sha256)?.issuerSha256 === issuerSha256;
  }

  rememberTrusted(sha256: string, certificate: X509Certificate, issuerSha256: string): void {
    this.certificates.set(sha256, { certificate, issuerSha256 });
  }

  anchorsFor(pem: string, parse: (pem: string) => X509Certificate[]): X509Certificate[] {
    let anchors = this.anchors.get(pem);
    if (anchors === undefined) this.anchors.set(pem, (anchors = parse(pem)));
    return anchors;
  }

  /** SHA-256 of every certificate held (tests and diagnostics). */
  fingerprints(): string[] {
    return [...this.certificates.keys()];
  }

  /** Bytes held, by the estimate the bound uses. */
  get bytes(): number {
    return this.certificates.calculatedSize;
  }
}
