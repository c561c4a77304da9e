import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A certificate shaped like Apple's MDM push certificate (UID = com.apple.mgmt.External.<uuid>).
 * Apple's servers cannot be reached here; its issuer is not checked by Rempart.
 */
export function makePushCertificate(days = 365): {
  certificatePem: string;
  privateKeyPem: string;
  topic: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-apns-'));
  const topic = `com.apple.mgmt.External.${randomUUID()}`;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        String(days),
        '-subj',
        `/UID=${topic}/CN=APSP:${topic.split('.').pop()}/C=FR`,
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    return {
      certificatePem: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      privateKeyPem: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      topic,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
