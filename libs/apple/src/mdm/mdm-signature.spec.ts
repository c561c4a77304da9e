import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CmsSigner } from '../signing/cms-signer.js';
import { encodePlist } from '../plist/plist-codec.js';
import {
  MdmAuthError,
  authenticateMdmRequest,
  verifyDetachedCms,
  type MdmAuthErrorCode,
} from './mdm-signature.js';
import { createTestPki, type TestPki } from './mdm-test-pki.js';
import {
  PARSED_CERTIFICATE_OVERHEAD_BYTES,
  TrustedCertificateCache,
  certificateSha256,
} from './trusted-certificate-cache.js';

const UDID = '00008110-000A1B2C3D4E5F60';
const body = encodePlist({
  MessageType: 'Authenticate',
  Topic: 'com.apple.mgmt.External.6b2a1f0e-4c1d-4f7e-9a3b-2d5c8e9f0a1b',
  UDID,
  SerialNumber: 'F2LXK0ABCDEF',
});

let pki: TestPki;
let caPem: string;
let devicePem: string;
let signer: CmsSigner;

beforeAll(() => {
  pki = createTestPki('mdm-sig');
  pki.ca('ca', 'Rempart Test Device CA');
  pki.issue('device', 'ca', `/CN=${UDID}/O=Rempart test`);
  pki.ca('other-ca', 'Some Other CA');
  pki.issue('stranger', 'other-ca', '/CN=stranger-device');
  pki.ca('root', 'Rempart Root');
  pki.issue('inter', 'root', '/CN=Rempart Issuing CA', { extensions: 'intermediate' });
  pki.issue('chained', 'inter', '/CN=chained-device');
  pki.issue('server-only', 'ca', '/CN=server-only', { extensions: 'server_only' });
  pki.issue('ec-device', 'ca', '/CN=ec-device', { key: 'ec' });
  caPem = pki.read('ca.pem');
  devicePem = pki.read('device.pem');
  signer = new CmsSigner({ certificatePem: devicePem, privateKeyPem: pki.read('device.key') });
  writeFileSync(pki.file('body.plist'), body);
});
afterAll(() => pki.cleanup());

function refusal(run: () => unknown): { code: MdmAuthErrorCode; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MdmAuthError);
    const { code, message } = error as MdmAuthError;
    return { code, message };
  }
  throw new Error('expected an MdmAuthError');
}

/** `openssl cms -sign` (detached unless -nodetach) over body.plist; returns the DER. */
function opensslSign(cert: string, key: string, extra: string[] = []): Buffer {
  const out = pki.file(`sig-${cert}-${extra.join('').replace(/[^a-z0-9]/gi, '')}.der`);
  pki.openssl(
    'cms',
    '-sign',
    '-binary',
    '-in',
    pki.file('body.plist'),
    '-signer',
    pki.file(`${cert}.pem`),
    '-inkey',
    pki.file(`${key}.key`),
    '-outform',
    'DER',
    '-out',
    out,
    ...extra,
  );
  return readFileSync(out);
}

describe('verifyDetachedCms', () => {
  it('verifies a detached signature made by CmsSigner.signDetached', () => {
    const signingTime = new Date('2026-11-27T10:00:00Z');
    const result = verifyDetachedCms(signer.signDetached(body, signingTime), body);
    expect(result.signer.raw.equals(new X509Certificate(devicePem).raw)).toBe(true);
    expect(result.certificates).toHaveLength(1);
    expect(result.digestAlgorithm).toBe('sha256');
    expect(result.signingTime?.toISOString()).toBe(signingTime.toISOString());
  });

  it('verifies `openssl cms -sign -binary -outform DER` (detached) with SHA-1/256/384/512', () => {
    for (const md of ['sha1', 'sha256', 'sha384', 'sha512']) {
      const result = verifyDetachedCms(opensslSign('device', 'device', ['-md', md]), body);
      expect(result.digestAlgorithm).toBe(md);
      expect(result.signer.subject).toContain(UDID);
      expect(Math.abs(result.signingTime!.getTime() - Date.now())).toBeLessThan(60_000);
    }
  });

  it('verifies openssl variants: no signed attributes, subject key identifier, BER streaming, ECDSA', () => {
    const noattr = verifyDetachedCms(opensslSign('device', 'device', ['-noattr']), body);
    expect(noattr.signingTime).toBeUndefined();
    expect(verifyDetachedCms(opensslSign('device', 'device', ['-keyid']), body).signer.subject).toContain(
      UDID,
    );
    const streamed = opensslSign('device', 'device', ['-stream']);
    expect(streamed.subarray(0, 2)).toEqual(Buffer.from([0x30, 0x80])); // indefinite length (BER)
    expect(verifyDetachedCms(streamed, body).signer.subject).toContain(UDID);
    expect(verifyDetachedCms(opensslSign('ec-device', 'ec-device'), body).signer.subject).toContain(
      'ec-device',
    );
    expect(
      refusal(() => verifyDetachedCms(opensslSign('ec-device', 'ec-device'), Buffer.from('x'))).code,
    ).toBe('BAD_SIGNATURE');
    expect(
      refusal(() => verifyDetachedCms(opensslSign('device', 'device', ['-noattr']), Buffer.from('x'))).code,
    ).toBe('BAD_SIGNATURE');
  });

  it('tampered body → BAD_SIGNATURE; tampered signature value → BAD_SIGNATURE', () => {
    const signature = signer.signDetached(body);
    const tampered = Buffer.from(body.toString('utf8').replace('F2LXK0ABCDEF', 'F2LXK0ABCDEG'));
    const { code, message } = refusal(() => verifyDetachedCms(signature, tampered));
    expect(code).toBe('BAD_SIGNATURE');
    expect(message).toMatch(/body was altered/);

    const flipped = Buffer.from(signature);
    flipped[flipped.length - 1] ^= 0x01; // last byte of the RSA signature
    expect(refusal(() => verifyDetachedCms(flipped, body)).code).toBe('BAD_SIGNATURE');
  });

  it('garbage → MALFORMED_SIGNATURE, never a crash', () => {
    const good = signer.signDetached(body);
    const candidates = [
      Buffer.from('hello world'),
      Buffer.alloc(0),
      good.subarray(0, good.length - 10),
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x30, 0x80, 0x30, 0x80, 0x30, 0x80]),
      Buffer.from('3003020101', 'hex'),
    ];
    for (const candidate of candidates) {
      expect(refusal(() => verifyDetachedCms(candidate, body)).code).toBe('MALFORMED_SIGNATURE');
    }
    // Random corruption anywhere: a refusal with one of the two codes, nothing else.
    for (let i = 0; i < 200; i += 1) {
      const corrupt = Buffer.from(good);
      corrupt[(i * 7919) % corrupt.length] ^= 1 << (i % 8);
      try {
        verifyDetachedCms(corrupt, body);
      } catch (error) {
        expect(error).toBeInstanceOf(MdmAuthError);
        expect(['MALFORMED_SIGNATURE', 'BAD_SIGNATURE']).toContain((error as MdmAuthError).code);
      }
    }
  });

  it('an attached (non-detached) signature still verifies against the body it carries', () => {
    expect(verifyDetachedCms(signer.sign(body), body).signer.subject).toContain(UDID);
  });
});

describe('authenticateMdmRequest', () => {
  const header = (der: Buffer): string => der.toString('base64');

  it('accepts a CmsSigner.signDetached signature by a device certificate issued by the trusted CA', () => {
    const now = new Date();
    const result = authenticateMdmRequest({
      body,
      mdmSignature: header(signer.signDetached(body, now)),
      trustedCaPems: [caPem],
      now,
    });
    const device = new X509Certificate(devicePem);
    expect(result.certificate.raw.equals(device.raw)).toBe(true);
    expect(result.fingerprintSha256).toBe(createHash('sha256').update(device.raw).digest('hex'));
    expect(result.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.source).toBe('mdm-signature');
  });

  it('accepts an `openssl cms -sign` detached signature (real clock)', () => {
    const result = authenticateMdmRequest({
      body,
      mdmSignature: header(opensslSign('device', 'device')),
      trustedCaPems: [pki.read('other-ca.pem') + caPem],
    });
    expect(result.certificate.subject).toContain(UDID);
  });

  it('tampered body → BAD_SIGNATURE', () => {
    const mdmSignature = header(signer.signDetached(body));
    const tampered = Buffer.concat([body, Buffer.from(' ')]);
    expect(
      refusal(() => authenticateMdmRequest({ body: tampered, mdmSignature, trustedCaPems: [caPem] })).code,
    ).toBe('BAD_SIGNATURE');
  });

  it('certificate from another CA → UNTRUSTED_CERTIFICATE', () => {
    const stranger = new CmsSigner({
      certificatePem: pki.read('stranger.pem'),
      privateKeyPem: pki.read('stranger.key'),
    });
    const { code, message } = refusal(() =>
      authenticateMdmRequest({
        body,
        mdmSignature: header(stranger.signDetached(body)),
        trustedCaPems: [caPem],
      }),
    );
    expect(code).toBe('UNTRUSTED_CERTIFICATE');
    expect(message).toMatch(/CN=stranger-device.*not issued by a trusted CA/);
    // Also refused when nothing is trusted at all.
    expect(
      refusal(() =>
        authenticateMdmRequest({ body, mdmSignature: header(signer.signDetached(body)), trustedCaPems: [] }),
      ).code,
    ).toBe('UNTRUSTED_CERTIFICATE');
  });

  it('a certificate not allowed for client authentication → UNTRUSTED_CERTIFICATE', () => {
    const serverOnly = new CmsSigner({
      certificatePem: pki.read('server-only.pem'),
      privateKeyPem: pki.read('server-only.key'),
    });
    const { code, message } = refusal(() =>
      authenticateMdmRequest({
        body,
        mdmSignature: header(serverOnly.signDetached(body)),
        trustedCaPems: [caPem],
      }),
    );
    expect(code).toBe('UNTRUSTED_CERTIFICATE');
    expect(message).toMatch(/client authentication/);
  });

  it('follows an intermediate CA embedded in the signature up to the trusted root', () => {
    const chained = new CmsSigner({
      certificatePem: pki.read('chained.pem'),
      privateKeyPem: pki.read('chained.key'),
      chainPem: [pki.read('inter.pem')],
    });
    const result = authenticateMdmRequest({
      body,
      mdmSignature: header(chained.signDetached(body)),
      trustedCaPems: [pki.read('root.pem')],
    });
    expect(result.certificate.subject).toContain('chained-device');
    // Without the intermediate in the CMS, the root alone does not vouch for the device.
    const bare = new CmsSigner({
      certificatePem: pki.read('chained.pem'),
      privateKeyPem: pki.read('chained.key'),
    });
    expect(
      refusal(() =>
        authenticateMdmRequest({
          body,
          mdmSignature: header(bare.signDetached(body)),
          trustedCaPems: [pki.read('root.pem')],
        }),
      ).code,
    ).toBe('UNTRUSTED_CERTIFICATE');
  });

  it('signingTime 10 minutes old → REPLAYED; 10 minutes ahead → REPLAYED; 4 minutes old is fine', () => {
    const now = new Date();
    const at = (minutes: number): string =>
      header(signer.signDetached(body, new Date(now.getTime() + minutes * 60_000)));
    const old = refusal(() =>
      authenticateMdmRequest({ body, mdmSignature: at(-10), trustedCaPems: [caPem], now }),
    );
    expect(old.code).toBe('REPLAYED');
    expect(old.message).toMatch(/more than 300 s ago/);
    expect(
      refusal(() => authenticateMdmRequest({ body, mdmSignature: at(10), trustedCaPems: [caPem], now })).code,
    ).toBe('REPLAYED');
    expect(authenticateMdmRequest({ body, mdmSignature: at(-4), trustedCaPems: [caPem], now }).source).toBe(
      'mdm-signature',
    );
    expect(
      authenticateMdmRequest({
        body,
        mdmSignature: at(-10),
        trustedCaPems: [caPem],
        now,
        maxSignatureAgeSeconds: 900,
      }).source,
    ).toBe('mdm-signature');
  });

  it('expired (or not yet valid) device certificate → EXPIRED_CERTIFICATE', () => {
    for (const now of [new Date(Date.now() + 60 * 86_400_000), new Date(Date.now() - 2 * 86_400_000)]) {
      const { code } = refusal(() =>
        authenticateMdmRequest({
          body,
          mdmSignature: header(signer.signDetached(body, now)),
          trustedCaPems: [caPem],
          now,
        }),
      );
      expect(code).toBe('EXPIRED_CERTIFICATE');
    }
  });

  it('garbage header → MALFORMED_SIGNATURE', () => {
    for (const mdmSignature of [
      'not base64 at all!',
      'AAAA',
      Buffer.from('garbage').toString('base64'),
      '====',
    ]) {
      expect(refusal(() => authenticateMdmRequest({ body, mdmSignature, trustedCaPems: [caPem] })).code).toBe(
        'MALFORMED_SIGNATURE',
      );
    }
  });

  it('no signature and no client certificate → MISSING_SIGNATURE', () => {
    for (const mdmSignature of [undefined, '', '   ']) {
      expect(refusal(() => authenticateMdmRequest({ body, mdmSignature, trustedCaPems: [caPem] })).code).toBe(
        'MISSING_SIGNATURE',
      );
    }
  });

  it('accepts the client certificate forwarded by the TLS proxy: PEM, URL-encoded PEM, RFC 9440', () => {
    const device = new X509Certificate(devicePem);
    for (const clientCertificatePem of [
      devicePem,
      encodeURIComponent(devicePem),
      devicePem.replace(/\n/g, ' '),
      `:${device.raw.toString('base64')}:`,
    ]) {
      const result = authenticateMdmRequest({ body, clientCertificatePem, trustedCaPems: [caPem] });
      expect(result.source).toBe('client-certificate');
      expect(result.certificate.raw.equals(device.raw)).toBe(true);
    }
    expect(
      refusal(() =>
        authenticateMdmRequest({
          body,
          clientCertificatePem: pki.read('stranger.pem'),
          trustedCaPems: [caPem],
        }),
      ).code,
    ).toBe('UNTRUSTED_CERTIFICATE');
    expect(
      refusal(() =>
        authenticateMdmRequest({ body, clientCertificatePem: '%E0%A4%A', trustedCaPems: [caPem] }),
      ).code,
    ).toBe('MALFORMED_SIGNATURE');
  });

  it('signature and client certificate must name the same device', () => {
    const mdmSignature = header(signer.signDetached(body));
    expect(
      authenticateMdmRequest({ body, mdmSignature, clientCertificatePem: devicePem, trustedCaPems: [caPem] })
        .source,
    ).toBe('mdm-signature');
    expect(
      refusal(() =>
        authenticateMdmRequest({
          body,
          mdmSignature,
          clientCertificatePem: pki.read('server-only.pem'),
          trustedCaPems: [caPem],
        }),
      ).code,
    ).toBe('UNTRUSTED_CERTIFICATE');
  });
});

describe('the trusted-certificate cache', () => {
  const sign = (cert: string) =>
    new CmsSigner({ certificatePem: pki.read(`${cert}.pem`), privateKeyPem: pki.read(`${cert}.key`) })
      .signDetached(body)
      .toString('base64');

  it('keeps a certificate only once it chained to a trusted CA, never a stranger’s', () => {
    const cache = new TrustedCertificateCache();
    const stranger = sign('stranger');
    expect(
      refusal(() => authenticateMdmRequest({ body, mdmSignature: stranger, trustedCaPems: [caPem], cache }))
        .code,
    ).toBe('UNTRUSTED_CERTIFICATE');
    expect(cache.fingerprints()).toEqual([]);

    const first = authenticateMdmRequest({
      body,
      mdmSignature: sign('device'),
      trustedCaPems: [caPem],
      cache,
    });
    expect(cache.fingerprints()).toEqual([first.fingerprintSha256]);
    // The next request gets the very same parsed certificate, without re-checking its issuer.
    const again = authenticateMdmRequest({
      body,
      mdmSignature: sign('device'),
      trustedCaPems: [caPem],
      cache,
    });
    expect(again.certificate).toBe(first.certificate);
  });

  it('does not let a verdict for one CA vouch for a certificate under another', () => {
    const cache = new TrustedCertificateCache();
    authenticateMdmRequest({ body, mdmSignature: sign('device'), trustedCaPems: [caPem], cache });
    expect(
      refusal(() =>
        authenticateMdmRequest({
          body,
          mdmSignature: sign('device'),
          trustedCaPems: [pki.read('other-ca.pem')],
          cache,
        }),
      ).code,
    ).toBe('UNTRUSTED_CERTIFICATE');
  });

  it('stays within its byte bound, dropping the least recently used', () => {
    const device = new X509Certificate(devicePem);
    const entryBytes = device.raw.length + PARSED_CERTIFICATE_OVERHEAD_BYTES;
    const cache = new TrustedCertificateCache(3 * entryBytes);
    for (let i = 0; i < 50; i += 1) cache.rememberTrusted(`sha-${i}`, device, 'issuer');
    expect(cache.bytes).toBeLessThanOrEqual(3 * entryBytes);
    expect(cache.fingerprints().sort()).toEqual(['sha-47', 'sha-48', 'sha-49']);
    expect(certificateSha256(device.raw)).toMatch(/^[0-9a-f]{64}$/);
  });
});
