import { generateKeyPair, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

/*
 * The fake APNs' own throw-away PKI: a CA made at start and a server certificate for localhost /
 * 127.0.0.1 issued by it. Clients trust `caPem` (APNS_CA_FILE) exactly as they trust Apple's roots.
 */

export interface FakeApnsTls {
  caPem: string;
  certificatePem: string;
  privateKeyPem: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

async function rsaKeys(): Promise<{
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privateKeyPem: string;
}> {
  // Native key generation: forge's pure-JS one takes seconds.
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    privateKeyPem: privateKey,
  };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** `names`: host names and IP addresses the server certificate is for, besides localhost, 127.0.0.1 and ::1. */
export async function makeFakeApnsTls(names: string[] = []): Promise<FakeApnsTls> {
  const extra = names.filter((name) => !['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(name));
  const hostnames = ['localhost', ...extra.filter((name) => isIP(name) === 0)];
  const ips = ['127.0.0.1', '::1', ...extra.filter((name) => isIP(name) !== 0)];
  const [caKeys, serverKeys] = await Promise.all([rsaKeys(), rsaKeys()]);
  const now = Date.now();
  const caName = [
    { shortName: 'CN', value: `Rempart fake APNs CA ${serial().slice(0, 8)}` },
    { shortName: 'O', value: 'Rempart tests' },
  ];
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = new Date(now - 3_600_000);
  ca.validity.notAfter = new Date(now + 10 * 365 * 86_400_000);
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const server = forge.pki.createCertificate();
  server.publicKey = serverKeys.publicKey;
  server.serialNumber = serial();
  server.validity.notBefore = new Date(now - 3_600_000);
  server.validity.notAfter = new Date(now + 2 * 365 * 86_400_000);
  server.setSubject([{ shortName: 'CN', value: extra[0] ?? 'localhost' }]);
  server.setIssuer(caName);
  server.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...hostnames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    certificatePem: forge.pki.certificateToPem(server),
    privateKeyPem: serverKeys.privateKeyPem,
  };
}
