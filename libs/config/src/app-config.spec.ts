import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { ConfigError, loadConfig as load } from './app-config.js';
import { PUBLISHED_DEVELOPMENT_MASTER_KEY } from './secrets.js';

const stateDirs: string[] = [];
const freshStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rempart-state-'));
  stateDirs.push(dir);
  return join(dir, '.rempart');
};
afterAll(() => stateDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Development generates keys: never into the repository's own .rempart/ from a unit test. */
const loadConfig = (env: NodeJS.ProcessEnv) => load(env, { stateDir: freshStateDir() });
const REAL_KEY = 'k'.repeat(40);

// A self-signed certificate (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=test-ca).
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBeDCCAR+gAwIBAgIUX+MDg+tu8esJ2jlgwNq5R11PvwMwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHdGVzdC1jYTAeFw0yNjEyMDExMTMxNTZaFw0zNjExMjgxMTMx
NTZaMBIxEDAOBgNVBAMMB3Rlc3QtY2EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AAR4KE5BnCfE8Lja8DRxpeCYGtB6WFfkTH6SIiC2TsbVFI8SeucGqF1/5vSXtuGg
0ruNsjk4QxHNpUdOp89Q/KN5o1MwUTAdBgNVHQ4EFgQUskXWk7fCZPHx5lLD1IE3
jNWFt+EwHwYDVR0jBBgwFoAUskXWk7fCZPHx5lLD1IE3jNWFt+EwDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAIolWNpv6x7EbbUH2bN+L/WPgMfUzj
HJzLxhLYRPxcvAIgMb6/56J1mi+A5z1vvDS7s5ENdkxhuHqotV+J534vpDs=
-----END CERTIFICATE-----
`;

describe('loadConfig', () => {
  it('uses the contract defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/rempart');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.API_PORT).toBe(3000);
    expect(config.MDM_PORT).toBe(3001);
    expect(config.MDM_PUBLIC_URL).toBe('http://127.0.0.1:3001');
    expect(config.APNS_URL).toBe('https://api.push.apple.com');
    expect(config.AMAPI_ROOT_URL).toBe('https://androidmanagement.googleapis.com/');
    expect(config.MDM_SIGN_INSTALLED_PROFILES).toBe(true);
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ API_PORT: '8080', MDM_SIGN_INSTALLED_PROFILES: 'false' });
    expect(config.API_PORT).toBe(8080);
    expect(config.MDM_SIGN_INSTALLED_PROFILES).toBe(false);
  });

  it.each([
    ['API_PORT', 'eighty', /API_PORT must be an integer/],
    ['MDM_PORT', '70000', /MDM_PORT must be an integer/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must be a redis/],
    ['MDM_SIGN_INSTALLED_PROFILES', 'maybe', /MDM_SIGN_INSTALLED_PROFILES must be true or false/],
    ['REMPART_MASTER_KEY', 'short', /REMPART_MASTER_KEY must be at least 32/],
  ])('refuses a bad %s with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('reads APNS_CA_FILE when set, and refuses a missing file or one without a certificate', () => {
    expect(loadConfig({}).apnsCaPem).toBeUndefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'rempart-config-'));
    try {
      const good = path.join(dir, 'ca.pem');
      const bad = path.join(dir, 'not-a-ca.pem');
      writeFileSync(good, CA_PEM);
      writeFileSync(bad, 'hello');
      const config = loadConfig({ APNS_CA_FILE: good });
      expect(config.APNS_CA_FILE).toBe(good);
      expect(config.apnsCaPem).toBe(CA_PEM);
      expect(() => loadConfig({ APNS_CA_FILE: path.join(dir, 'missing.pem') })).toThrow(
        /^Invalid configuration: APNS_CA_FILE cannot be read \(ENOENT\)/,
      );
      expect(() => loadConfig({ APNS_CA_FILE: bad })).toThrow(/APNS_CA_FILE is not a PEM certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never echoes the master key in an error', () => {
    expect(() => loadConfig({ REMPART_MASTER_KEY: 'secret' })).toThrow(/^((?!secret).)*$/);
  });

  it('never echoes the audit HMAC key in an error', () => {
    expect(() => loadConfig({ AUDIT_HMAC_KEY: 'hunter2' })).toThrow(/AUDIT_HMAC_KEY must be at least 32/);
    expect(() => loadConfig({ AUDIT_HMAC_KEY: 'hunter2' })).toThrow(/^((?!hunter2).)*$/);
  });

  describe('addresses', () => {
    it('binds to loopback unless in production, where it binds to every interface', () => {
      expect(loadConfig({}).BIND_ADDRESS).toBe('127.0.0.1');
      expect(load({ NODE_ENV: 'test' }).BIND_ADDRESS).toBe('127.0.0.1');
      const production = { NODE_ENV: 'production', REMPART_MASTER_KEY: REAL_KEY, AUDIT_HMAC_KEY: REAL_KEY };
      expect(loadConfig(production).BIND_ADDRESS).toBe('0.0.0.0');
      expect(loadConfig({ ...production, BIND_ADDRESS: '10.1.2.3' }).BIND_ADDRESS).toBe('10.1.2.3');
    });

    it('keeps metrics on loopback, on ports of their own', () => {
      const config = loadConfig({});
      expect(config.METRICS_BIND_ADDRESS).toBe('127.0.0.1');
      expect([config.API_METRICS_PORT, config.MDM_METRICS_PORT]).toEqual([9464, 9465]);
    });

    it.each([
      ['BIND_ADDRESS', 'localhost', /BIND_ADDRESS must be an IPv4 or IPv6 address/],
      ['METRICS_BIND_ADDRESS', '0.0.0.0.0', /METRICS_BIND_ADDRESS must be an IPv4/],
      ['AUTH_FAILURE_LIMIT', '-1', /AUTH_FAILURE_LIMIT must be an integer/],
      ['TRUST_PROXY', 'all; rm -rf', /TRUST_PROXY must be/],
    ])('refuses a bad %s', (name, value, message) => {
      expect(() => loadConfig({ [name]: value })).toThrow(message);
    });
  });

  describe('keys in production', () => {
    it.each(['REMPART_MASTER_KEY', 'AUDIT_HMAC_KEY'])('requires %s, in one line naming it', (name) => {
      const env = { NODE_ENV: 'production', REMPART_MASTER_KEY: REAL_KEY, AUDIT_HMAC_KEY: REAL_KEY };
      delete (env as Record<string, string>)[name];
      expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} is required[^\n]*$`));
    });

    it('refuses the published development master key', () => {
      expect(() =>
        loadConfig({
          NODE_ENV: 'production',
          REMPART_MASTER_KEY: PUBLISHED_DEVELOPMENT_MASTER_KEY,
          AUDIT_HMAC_KEY: REAL_KEY,
        }),
      ).toThrow(/REMPART_MASTER_KEY is a development value published/);
    });

    it('refuses the keys the test suite uses', () => {
      const testing = load({ NODE_ENV: 'test' });
      expect(() =>
        loadConfig({
          NODE_ENV: 'production',
          REMPART_MASTER_KEY: REAL_KEY,
          AUDIT_HMAC_KEY: testing.auditHmacKey,
        }),
      ).toThrow(/AUDIT_HMAC_KEY is a development value published/);
    });

    it('refuses a key shorter than 32 characters', () => {
      expect(() =>
        loadConfig({ NODE_ENV: 'production', REMPART_MASTER_KEY: 'k'.repeat(31), AUDIT_HMAC_KEY: REAL_KEY }),
      ).toThrow(/REMPART_MASTER_KEY must be at least 32/);
    });

    it('uses the given keys, and no fallback key decrypts anything', () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        REMPART_MASTER_KEY: REAL_KEY,
        AUDIT_HMAC_KEY: 'a'.repeat(32),
      });
      expect(config.masterKey).toBe(REAL_KEY);
      expect(config.auditHmacKey).toBe('a'.repeat(32));
      expect(config.masterKeyFallbacks).toEqual([]);
      expect(config.notices).toEqual([]);
    });
  });

  describe('keys in development', () => {
    it('generates random keys at first start into the state directory, mode 0600, and says so', () => {
      const stateDir = freshStateDir();
      const first = load({}, { stateDir });
      expect(first.masterKey).not.toBe(PUBLISHED_DEVELOPMENT_MASTER_KEY);
      expect(first.masterKey.length).toBeGreaterThanOrEqual(32);
      expect(first.auditHmacKey).not.toBe(first.masterKey);
      expect(readFileSync(join(stateDir, 'master.key'), 'utf8').trim()).toBe(first.masterKey);
      expect(statSync(join(stateDir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(stateDir, 'audit-hmac.key')).mode & 0o777).toBe(0o600);
      expect(first.notices.join('\n')).toMatch(/REMPART_MASTER_KEY not set: GENERATED .*master\.key/);
      expect(first.notices.join('\n')).toMatch(/AUDIT_HMAC_KEY not set: GENERATED .*audit-hmac\.key/);

      const second = load({}, { stateDir });
      expect(second.masterKey).toBe(first.masterKey);
      expect(second.auditHmacKey).toBe(first.auditHmacKey);
      expect(second.notices.join('\n')).toMatch(/using the development key in .*master\.key/);
    });

    it('gives each installation its own keys', () => {
      expect(loadConfig({}).masterKey).not.toBe(loadConfig({}).masterKey);
    });

    it('still decrypts (never encrypts) with the published constant that older installs used', () => {
      const config = loadConfig({});
      expect(config.masterKeyFallbacks).toEqual([PUBLISHED_DEVELOPMENT_MASTER_KEY]);
      expect(config.masterKey).not.toBe(PUBLISHED_DEVELOPMENT_MASTER_KEY);
    });

    it('uses a key from the environment over the file', () => {
      const config = loadConfig({ REMPART_MASTER_KEY: REAL_KEY });
      expect(config.masterKey).toBe(REAL_KEY);
    });
  });

  describe('MDM_TRUSTED_PROXIES', () => {
    it('is required when MDM_CLIENT_CERT_HEADER is set, so the header is never taken from anyone', () => {
      expect(() => loadConfig({ MDM_CLIENT_CERT_HEADER: 'X-Client-Cert' })).toThrow(
        /MDM_TRUSTED_PROXIES is required when MDM_CLIENT_CERT_HEADER is set/,
      );
    });

    it('refuses an entry that is neither an IP address nor a CIDR range, naming it', () => {
      for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0.1/x']) {
        expect(() =>
          loadConfig({ MDM_CLIENT_CERT_HEADER: 'X-Client-Cert', MDM_TRUSTED_PROXIES: `127.0.0.1, ${bad}` }),
        ).toThrow(new RegExp(`MDM_TRUSTED_PROXIES must be .*${bad.replace(/[.*/]/g, '\\$&')}`));
      }
    });

    it('matches IPv4, IPv6 and IPv4-mapped peers against addresses and ranges', () => {
      const { trustedProxies } = loadConfig({
        MDM_CLIENT_CERT_HEADER: 'X-Client-Cert',
        MDM_TRUSTED_PROXIES: '10.1.0.0/16, 192.0.2.7, fd00::/8',
      });
      expect(trustedProxies.allows('10.1.200.3')).toBe(true);
      expect(trustedProxies.allows('::ffff:10.1.0.9')).toBe(true);
      expect(trustedProxies.allows('192.0.2.7')).toBe(true);
      expect(trustedProxies.allows('fd12::1')).toBe(true);
      expect(trustedProxies.allows('10.2.0.1')).toBe(false);
      expect(trustedProxies.allows('192.0.2.8')).toBe(false);
      expect(trustedProxies.allows('127.0.0.1')).toBe(false);
      expect(trustedProxies.allows(undefined)).toBe(false);
    });
  });
});

describe('loadConfig: console sign-in', () => {
  const oidc = {
    OIDC_ISSUER_URL: 'https://auth.proconnect.gouv.fr/api/v2',
    OIDC_CLIENT_ID: 'rempart',
    OIDC_CLIENT_SECRET: 'a-client-secret',
  };

  it('leaves sign-in off without a provider, and derives the console address from API_PORT', () => {
    const config = loadConfig({ API_PORT: '8080' });
    expect(config.oidc).toBeNull();
    expect(config.CONSOLE_PUBLIC_URL).toBe('http://127.0.0.1:8080');
    expect(config.CONSOLE_SESSION_IDLE_SECONDS).toBe(1800);
    expect(config.CONSOLE_SESSION_MAX_SECONDS).toBe(43_200);
  });

  it('takes the provider, and the public address without its trailing slash', () => {
    const config = loadConfig({ ...oidc, CONSOLE_PUBLIC_URL: 'https://rempart.interieur.gouv.fr/' });
    expect(config.oidc).toEqual({
      issuerUrl: oidc.OIDC_ISSUER_URL,
      clientId: 'rempart',
      clientSecret: 'a-client-secret',
    });
    expect(config.CONSOLE_PUBLIC_URL).toBe('https://rempart.interieur.gouv.fr');
  });

  it('refuses a provider half configured, naming what is missing, without echoing the secret', () => {
    expect(() =>
      loadConfig({ OIDC_ISSUER_URL: oidc.OIDC_ISSUER_URL, OIDC_CLIENT_SECRET: 'a-client-secret' }),
    ).toThrow(/OIDC_CLIENT_ID must be set too/);
    expect(() => loadConfig({ ...oidc, OIDC_CLIENT_SECRET: 'with space' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...oidc, OIDC_CLIENT_SECRET: 'with space' })).not.toThrow(/with space/);
  });

  it('refuses a plain-http provider that is not on this machine, and a public URL with a path', () => {
    expect(() => loadConfig({ ...oidc, OIDC_ISSUER_URL: 'http://idp.example.org' })).toThrow(
      /OIDC_ISSUER_URL must be https/,
    );
    expect(loadConfig({ ...oidc, OIDC_ISSUER_URL: 'http://127.0.0.1:4000' }).oidc?.issuerUrl).toBe(
      'http://127.0.0.1:4000',
    );
    expect(() => loadConfig({ CONSOLE_PUBLIC_URL: 'https://example.org/console' })).toThrow(
      /CONSOLE_PUBLIC_URL/,
    );
    expect(() => loadConfig({ CONSOLE_SESSION_IDLE_SECONDS: '0' })).toThrow(/CONSOLE_SESSION_IDLE_SECONDS/);
  });
});
