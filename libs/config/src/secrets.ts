import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Secrets read from the environment, at least this long (same floor as the secret box). */
export const MIN_SECRET_LENGTH = 32;

export type SecretName = 'REMPART_MASTER_KEY' | 'AUDIT_HMAC_KEY';

/**
 * The master key every development install used before keys were generated. It is published in
 * this repository, so it never protects real data: production refuses it, and development only
 * still decrypts what was stored under it (see `masterKeyFallbacks`).
 */
export const PUBLISHED_DEVELOPMENT_MASTER_KEY = 'rempart-development-master-key-not-for-production-use';

/**
 * NODE_ENV=test: fixed keys, so that the test processes of one run (api, mdm, the CLI) read each
 * other's data; test databases are thrown away. Published, hence refused in production.
 */
const TEST_SECRETS: Record<SecretName, string> = {
  REMPART_MASTER_KEY: 'rempart-test-master-key-published-in-the-repository',
  AUDIT_HMAC_KEY: 'rempart-test-audit-hmac-key-published-in-the-repository',
};

const PUBLISHED = new Set([PUBLISHED_DEVELOPMENT_MASTER_KEY, ...Object.values(TEST_SECRETS)]);

/** Where development generates each secret, in the state directory (git-ignored `.rempart/`). */
const KEY_FILES: Record<SecretName, string> = {
  REMPART_MASTER_KEY: 'master.key',
  AUDIT_HMAC_KEY: 'audit-hmac.key',
};

export interface ResolvedSecret {
  value: string;
  /** A line the process must print at start (a generated or file-read development key). */
  notice?: string;
}

export class SecretConfigError extends Error {}

/**
 * The value of one secret: the environment's in production (required, not a published one); in
 * development the environment's, else one generated at first start into `<stateDir>/<name>.key`
 * (mode 0600) and read back on later starts; in tests a fixed, published one.
 */
export function resolveSecret(
  name: SecretName,
  given: string | undefined,
  nodeEnv: 'development' | 'test' | 'production',
  stateDir: string,
): ResolvedSecret {
  if (given !== undefined) {
    if (nodeEnv === 'production' && PUBLISHED.has(given)) {
      throw new SecretConfigError(
        `${name} is a development value published in the Rempart repository; set a secret of your own (openssl rand -base64 48)`,
      );
    }
    return { value: given };
  }
  if (nodeEnv === 'production') {
    throw new SecretConfigError(`${name} is required when NODE_ENV=production (openssl rand -base64 48)`);
  }
  if (nodeEnv === 'test') return { value: TEST_SECRETS[name] };
  return developmentKeyFile(name, join(stateDir, KEY_FILES[name]));
}

function developmentKeyFile(name: SecretName, path: string): ResolvedSecret {
  const shown = relative(process.cwd(), path) || path;
  const existing = readKey(path);
  if (existing !== undefined) {
    return { value: existing, notice: `${name} not set: using the development key in ${shown}` };
  }
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  // Written aside then hard-linked into place: processes starting together (npm start) never read
  // a half-written key, and exactly one of them creates it.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600 });
  let created = true;
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    rmSync(temporary, { force: true });
  }
  const value = readKey(path);
  if (value === undefined) throw new SecretConfigError(`${name}: ${shown} holds no usable key; delete it`);
  return {
    value,
    notice: created
      ? `${name} not set: GENERATED a random development key into ${shown}. Keep that file: data encrypted or signed with it is unreadable without it. Never use development keys in production.`
      : `${name} not set: using the development key in ${shown}`,
  };
}

function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return text.length >= MIN_SECRET_LENGTH ? text : undefined;
}
