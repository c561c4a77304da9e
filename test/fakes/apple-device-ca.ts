import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/*
 * A stand-in for Apple's iPhone Device CA (shared/reference/apple-ade.md §4.3, §5.2): RSA, SHA-1
 * and expired on purpose like the real one (2014), so that a verifier checking dates fails the
 * tests. It issues device identity certificates (subject CN=<UUID>, O=Apple Inc., OU=iPhone) that
 * the simulator signs MachineInfo with. Tests hand its PEM to Rempart through APPLE_DEVICE_CA_FILE.
 */

export interface TestIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

function keyPair(bits: number) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { pem, forgeKey: forge.pki.privateKeyFromPem(pem) };
}

function certificate(
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  publicKey: forge.pki.rsa.PublicKey,
  signer: forge.pki.rsa.PrivateKey,
  options: { ca: boolean; notBefore: Date; notAfter: Date; digest: 'sha1' | 'sha256' },
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(
    options.ca
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        ],
  );
  cert.sign(signer, options.digest === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export class TestAppleDeviceCa {
  readonly certificatePem: string;
  private readonly key: forge.pki.rsa.PrivateKey;
  private readonly name = [
    { shortName: 'C', value: 'US' },
    { shortName: 'O', value: 'Apple Inc.' },
    { shortName: 'OU', value: 'Apple iPhone' },
    { shortName: 'CN', value: 'Test Apple iPhone Device CA' },
  ];

  constructor() {
    const ca = keyPair(2048);
    this.key = ca.forgeKey;
    this.certificatePem = certificate(
      this.name,
      this.name,
      forge.pki.rsa.setPublicKey(ca.forgeKey.n, ca.forgeKey.e),
      ca.forgeKey,
      {
        ca: true,
        notBefore: new Date('2007-04-16T22:00:00Z'),
        notAfter: new Date('2014-04-16T22:00:00Z'),
        digest: 'sha1',
      },
    );
  }

  /** A device identity under this CA (RSA 1024 like Apple's; SHA-256 or SHA-1 signature). */
  issueDevice(udid: string, digest: 'sha1' | 'sha256' = 'sha256'): TestIdentity {
    const device = keyPair(1024);
    const subject = [
      { shortName: 'CN', value: udid },
      { shortName: 'O', value: 'Apple Inc.' },
      { shortName: 'OU', value: 'iPhone' },
    ];
    const now = Date.now();
    return {
      privateKeyPem: device.pem,
      certificatePem: certificate(
        subject,
        this.name,
        forge.pki.rsa.setPublicKey(device.forgeKey.n, device.forgeKey.e),
        this.key,
        {
          ca: false,
          notBefore: new Date(now - 24 * 60 * 60 * 1000),
          notAfter: new Date(now + 10 * 365 * 24 * 60 * 60 * 1000),
          digest,
        },
      ),
    };
  }
}

/** A self-signed "device" certificate: what an impostor without Apple's CA can make. */
export function selfSignedDeviceIdentity(udid: string): TestIdentity {
  const device = keyPair(1024);
  const subject = [{ shortName: 'CN', value: udid }];
  const now = Date.now();
  return {
    privateKeyPem: device.pem,
    certificatePem: certificate(
      subject,
      subject,
      forge.pki.rsa.setPublicKey(device.forgeKey.n, device.forgeKey.e),
      device.forgeKey,
      {
        ca: false,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 365 * 24 * 60 * 60 * 1000),
        digest: 'sha256',
      },
    ),
  };
}
