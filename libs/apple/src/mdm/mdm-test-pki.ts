import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * Test-only helper (not exported from the library): a throw-away directory and an openssl wrapper
 * to mint CAs, device identity certificates and push certificates for the specs of this folder.
 */

export interface TestPki {
  dir: string;
  file(name: string): string;
  read(name: string): string;
  openssl(...args: string[]): Buffer;
  /** A self-signed CA: `<name>.pem` / `<name>.key`. */
  ca(name: string, cn: string, options?: { key?: string }): void;
  /** A certificate issued by `issuer`: `<name>.pem` / `<name>.key`. */
  issue(
    name: string,
    issuer: string,
    subject: string,
    options?: { extensions?: string; key?: string; days?: number },
  ): void;
  cleanup(): void;
}

const EXTENSIONS = `
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[device]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[server_only]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
[intermediate]
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
`;

export function createTestPki(prefix: string): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), `rempart-${prefix}-`));
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): Buffer =>
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(file('ext.cnf'), EXTENSIONS);
  const newKey = (spec: string): string[] =>
    spec === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', spec];
  return {
    dir,
    file,
    read: (name) => readFileSync(file(name), 'utf8'),
    openssl,
    ca(name, cn, options = {}) {
      openssl(
        'req',
        '-x509',
        ...newKey(options.key ?? 'rsa:2048'),
        '-nodes',
        '-subj',
        `/CN=${cn}`,
        '-days',
        '30',
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.pem`),
        '-config',
        file('ext.cnf'),
        '-extensions',
        'ca',
      );
    },
    issue(name, issuer, subject, options = {}) {
      openssl(
        'req',
        '-new',
        ...newKey(options.key ?? 'rsa:2048'),
        '-nodes',
        '-subj',
        subject,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.csr`),
      );
      openssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file(`${issuer}.pem`),
        '-CAkey',
        file(`${issuer}.key`),
        '-set_serial',
        `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`,
        '-days',
        String(options.days ?? 20),
        '-extfile',
        file('ext.cnf'),
        '-extensions',
        options.extensions ?? 'device',
        '-out',
        file(`${name}.pem`),
      );
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
