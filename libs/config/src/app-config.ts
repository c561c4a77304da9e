import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import { resolve } from 'node:path';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { PUBLISHED_DEVELOPMENT_MASTER_KEY, resolveSecret, SecretConfigError } from './secrets.js';
import { TrustedProxies } from './trusted-proxies.js';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};

/**
 * Every environment variable Rempart reads, with its default. Names and defaults are part of the
 * outside contract (shared/design/contract.md); a process refuses to start on any invalid value.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/rempart';

  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key, so that deployments (and test files) can share one Redis. */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'QUEUE_PREFIX must be 1-64 letters, digits, dots, dashes or underscores',
  })
  QUEUE_PREFIX = 'rempart';

  @Transform(toInt)
  @IsInt({ message: 'API_PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'API_PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'API_PORT must be an integer between 0 and 65535' })
  API_PORT = 3000;

  @Transform(toInt)
  @IsInt({ message: 'MDM_PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'MDM_PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'MDM_PORT must be an integer between 0 and 65535' })
  MDM_PORT = 3001;

  /**
   * Address the api and mdm ports listen on. Unset: 127.0.0.1 in development and test (nothing on
   * the network reaches a developer's machine), 0.0.0.0 in production (behind the TLS proxy).
   */
  @IsOptional()
  @IsIP(undefined, { message: 'BIND_ADDRESS must be an IPv4 or IPv6 address' })
  BIND_ADDRESS?: string;

  /** Address of the Prometheus /metrics listeners, which are never on the public api and mdm ports. */
  @IsIP(undefined, { message: 'METRICS_BIND_ADDRESS must be an IPv4 or IPv6 address' })
  METRICS_BIND_ADDRESS = '127.0.0.1';

  @Transform(toInt)
  @IsInt({ message: 'API_METRICS_PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'API_METRICS_PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'API_METRICS_PORT must be an integer between 0 and 65535' })
  API_METRICS_PORT = 9464;

  @Transform(toInt)
  @IsInt({ message: 'MDM_METRICS_PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'MDM_METRICS_PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'MDM_METRICS_PORT must be an integer between 0 and 65535' })
  MDM_METRICS_PORT = 9465;

  /** Failed authentications one address may make within AUTH_FAILURE_WINDOW_SECONDS before 429 (0: no limit). */
  @Transform(toInt)
  @IsInt({ message: 'AUTH_FAILURE_LIMIT must be an integer between 0 and 100000' })
  @Min(0, { message: 'AUTH_FAILURE_LIMIT must be an integer between 0 and 100000' })
  @Max(100_000, { message: 'AUTH_FAILURE_LIMIT must be an integer between 0 and 100000' })
  AUTH_FAILURE_LIMIT = 20;

  @Transform(toInt)
  @IsInt({ message: 'AUTH_FAILURE_WINDOW_SECONDS must be an integer between 1 and 86400' })
  @Min(1, { message: 'AUTH_FAILURE_WINDOW_SECONDS must be an integer between 1 and 86400' })
  @Max(86_400, { message: 'AUTH_FAILURE_WINDOW_SECONDS must be an integer between 1 and 86400' })
  AUTH_FAILURE_WINDOW_SECONDS = 300;

  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For to believe for the client address (rate
   * limits, logs). Empty: none, the TCP peer is the client. E.g. `loopback` or `10.0.0.0/8`.
   */
  @Matches(/^[A-Za-z0-9.:/, ]{0,200}$/, {
    message: 'TRUST_PROXY must be empty, loopback, or addresses and CIDR ranges separated by commas',
  })
  TRUST_PROXY = '';

  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'MDM_PUBLIC_URL must be an http(s) URL' })
  MDM_PUBLIC_URL = 'http://127.0.0.1:3001';

  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'APNS_URL must be an http(s) URL' })
  APNS_URL = 'https://api.push.apple.com';

  /**
   * PEM file of an extra CA trusted for APNS_URL, next to the system roots: the local fake APNs'
   * throw-away CA in tests and demos. Empty (the default, and production): system roots only.
   */
  @IsString()
  APNS_CA_FILE = '';

  /**
   * Accept APNs push certificates not issued by Apple's push CAs. Development only: tests, the demo
   * and the benchmarks upload self-made certificates to a fake APNs; the real APNs refuses them.
   */
  @Transform(toBool)
  @IsBoolean({ message: 'APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES must be true or false' })
  APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES = false;

  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'AMAPI_ROOT_URL must be an http(s) URL' })
  AMAPI_ROOT_URL = 'https://androidmanagement.googleapis.com/';

  /** Tries per AMAPI call (429, 5xx and network failures are retried with exponential backoff). */
  @Transform(toInt)
  @IsInt({ message: 'AMAPI_MAX_ATTEMPTS must be an integer between 1 and 10' })
  @Min(1, { message: 'AMAPI_MAX_ATTEMPTS must be an integer between 1 and 10' })
  @Max(10, { message: 'AMAPI_MAX_ATTEMPTS must be an integer between 1 and 10' })
  AMAPI_MAX_ATTEMPTS = 6;

  /** First retry delay in milliseconds; doubled at each retry (with jitter), at most 30 s. */
  @Transform(toInt)
  @IsInt({ message: 'AMAPI_RETRY_BASE_MS must be an integer between 1 and 60000' })
  @Min(1, { message: 'AMAPI_RETRY_BASE_MS must be an integer between 1 and 60000' })
  @Max(60000, { message: 'AMAPI_RETRY_BASE_MS must be an integer between 1 and 60000' })
  AMAPI_RETRY_BASE_MS = 500;

  /**
   * Pub/Sub push authentication (OIDC): the service account the push subscription signs its tokens
   * as. Empty: OIDC-authenticated pushes are refused.
   */
  @Matches(/^([^\s@]+@[^\s@]+\.[^\s@]+)?$/, {
    message: 'AMAPI_PUSH_SERVICE_ACCOUNT must be an e-mail address',
  })
  AMAPI_PUSH_SERVICE_ACCOUNT = '';

  /** The audience of the push subscription's OIDC tokens; empty: the push endpoint's own URL. */
  @IsString()
  AMAPI_PUSH_AUDIENCE = '';

  /** For a relay that cannot sign OIDC tokens: a shared secret sent as `?token=`. Empty: off. */
  @Matches(/^(.{32,})?$/, { message: 'AMAPI_PUSH_SHARED_SECRET must be at least 32 characters' })
  AMAPI_PUSH_SHARED_SECRET = '';

  /** Google's OIDC signing certificates (PEM); a local fake in tests. */
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'GOOGLE_OIDC_CERTS_URL must be an http(s) URL' })
  GOOGLE_OIDC_CERTS_URL = 'https://www.googleapis.com/oauth2/v1/certs';

  /** Apple's Device Assignment API (Automated Device Enrollment); a local fake in tests. */
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'APPLE_ADE_URL must be an http(s) URL' })
  APPLE_ADE_URL = 'https://mdmenrollment.apple.com';

  /**
   * PEM file of the CA whose signature ADE MachineInfo device certificates must carry. Empty: Apple's
   * iPhone Device CA shipped in vendor/apple-ca/ (tests point it at a test CA).
   */
  @IsString()
  APPLE_DEVICE_CA_FILE = '';

  @Transform(toBool)
  @IsBoolean({ message: 'MDM_SIGN_INSTALLED_PROFILES must be true or false' })
  MDM_SIGN_INSTALLED_PROFILES = true;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'REMPART_MASTER_KEY must be at least 32 characters' })
  REMPART_MASTER_KEY?: string;

  /** Key of the HMAC that signs each audit event's hash (see libs/audit). */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AUDIT_HMAC_KEY must be at least 32 characters' })
  AUDIT_HMAC_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  /** Largest JSON request body the API accepts. */
  @Transform(toInt)
  @IsInt({ message: 'API_BODY_LIMIT_BYTES must be an integer between 1024 and 67108864' })
  @Min(1024, { message: 'API_BODY_LIMIT_BYTES must be an integer between 1024 and 67108864' })
  @Max(64 * 1024 * 1024, { message: 'API_BODY_LIMIT_BYTES must be an integer between 1024 and 67108864' })
  API_BODY_LIMIT_BYTES = 1024 * 1024;

  /** Lifetime of a bearer token created without an explicit expiry. */
  @Transform(toInt)
  @IsInt({ message: 'TOKEN_TTL_DAYS must be an integer between 1 and 3650' })
  @Min(1, { message: 'TOKEN_TTL_DAYS must be an integer between 1 and 3650' })
  @Max(3650, { message: 'TOKEN_TTL_DAYS must be an integer between 1 and 3650' })
  TOKEN_TTL_DAYS = 90;

  /**
   * Behind a TLS-terminating proxy that checks client certificates: the header carrying the phone's
   * certificate (URL-escaped PEM, as nginx's $ssl_client_escaped_cert). Empty: Mdm-Signature only.
   */
  @Matches(/^([A-Za-z0-9-]{1,64})?$/, { message: 'MDM_CLIENT_CERT_HEADER must be an HTTP header name' })
  MDM_CLIENT_CERT_HEADER = '';

  /**
   * With MDM_CLIENT_CERT_HEADER: the proxies allowed to send that header (comma-separated IP
   * addresses or CIDR ranges); the header from any other address is refused. Checked in loadConfig.
   */
  @IsString()
  MDM_TRUSTED_PROXIES = '';

  /** Directory holding catalog.yaml and lists/; empty means the profiles/ shipped with this installation. */
  @IsString()
  PROFILES_DIR = '';

  /** The worker's Prometheus `/metrics` (queue depths, pushes, deliveries); 0 picks a free port. */
  @Transform(toInt)
  @IsInt({ message: 'WORKER_METRICS_PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'WORKER_METRICS_PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'WORKER_METRICS_PORT must be an integer between 0 and 65535' })
  WORKER_METRICS_PORT = 3002;

  /** Rollout jobs (fan-out, reconciler) one worker process runs at once. */
  @Transform(toInt)
  @IsInt({ message: 'QUEUE_CONCURRENCY_ROLLOUTS must be an integer between 1 and 64' })
  @Min(1, { message: 'QUEUE_CONCURRENCY_ROLLOUTS must be an integer between 1 and 64' })
  @Max(64, { message: 'QUEUE_CONCURRENCY_ROLLOUTS must be an integer between 1 and 64' })
  QUEUE_CONCURRENCY_ROLLOUTS = 2;

  /**
   * Push slices one worker process sends at once (each slice multiplexes its pushes over HTTP/2).
   * Two keep the connection busy while the other slice reads or writes its deliveries; more only
   * queue pushes behind the stream limit, longer-lived objects that raised the worker's peak RSS
   * (bench:rollout, 100,000 phones: 409 MB with 4, 338 MB with 2, same pushes per second).
   */
  @Transform(toInt)
  @IsInt({ message: 'QUEUE_CONCURRENCY_APPLE_PUSHES must be an integer between 1 and 256' })
  @Min(1, { message: 'QUEUE_CONCURRENCY_APPLE_PUSHES must be an integer between 1 and 256' })
  @Max(256, { message: 'QUEUE_CONCURRENCY_APPLE_PUSHES must be an integer between 1 and 256' })
  QUEUE_CONCURRENCY_APPLE_PUSHES = 2;

  /** Deliveries per push job. */
  @Transform(toInt)
  @IsInt({ message: 'ROLLOUT_SLICE_SIZE must be an integer between 1 and 100000' })
  @Min(1, { message: 'ROLLOUT_SLICE_SIZE must be an integer between 1 and 100000' })
  @Max(100_000, { message: 'ROLLOUT_SLICE_SIZE must be an integer between 1 and 100000' })
  ROLLOUT_SLICE_SIZE = 1000;

  /** How often the reconciler looks for lost schedules and stuck deliveries. */
  @Transform(toInt)
  @IsInt({ message: 'ROLLOUT_RECONCILE_SECONDS must be an integer between 1 and 86400' })
  @Min(1, { message: 'ROLLOUT_RECONCILE_SECONDS must be an integer between 1 and 86400' })
  @Max(86_400, { message: 'ROLLOUT_RECONCILE_SECONDS must be an integer between 1 and 86400' })
  ROLLOUT_RECONCILE_SECONDS = 60;

  /** A phone that stays silent after a push is pushed again after this, then twice as long each time (capped at a day). */
  @Transform(toInt)
  @IsInt({ message: 'ROLLOUT_REPUSH_SECONDS must be an integer between 1 and 86400' })
  @Min(1, { message: 'ROLLOUT_REPUSH_SECONDS must be an integer between 1 and 86400' })
  @Max(86_400, { message: 'ROLLOUT_REPUSH_SECONDS must be an integer between 1 and 86400' })
  ROLLOUT_REPUSH_SECONDS = 900;

  /** A device not seen (no check-in) for longer than this is `stale`; iPhones' inventories are refreshed within it. */
  @Transform(toInt)
  @IsInt({ message: 'COMPLIANCE_FRESHNESS_SECONDS must be an integer between 60 and 2592000' })
  @Min(60, { message: 'COMPLIANCE_FRESHNESS_SECONDS must be an integer between 60 and 2592000' })
  @Max(30 * 86_400, { message: 'COMPLIANCE_FRESHNESS_SECONDS must be an integer between 60 and 2592000' })
  COMPLIANCE_FRESHNESS_SECONDS = 86_400;

  /**
   * How often the worker sweeps compliance: devices turning stale (or back), the next share of
   * inventory refreshes, today's snapshot.
   */
  @Transform(toInt)
  @IsInt({ message: 'COMPLIANCE_SWEEP_SECONDS must be an integer between 1 and 86400' })
  @Min(1, { message: 'COMPLIANCE_SWEEP_SECONDS must be an integer between 1 and 86400' })
  @Max(86_400, { message: 'COMPLIANCE_SWEEP_SECONDS must be an integer between 1 and 86400' })
  COMPLIANCE_SWEEP_SECONDS = 300;

  /** How often compliance events are turned into webhook deliveries. */
  @Transform(toInt)
  @IsInt({ message: 'WEBHOOK_DISPATCH_SECONDS must be an integer between 1 and 3600' })
  @Min(1, { message: 'WEBHOOK_DISPATCH_SECONDS must be an integer between 1 and 3600' })
  @Max(3600, { message: 'WEBHOOK_DISPATCH_SECONDS must be an integer between 1 and 3600' })
  WEBHOOK_DISPATCH_SECONDS = 5;

  /** How long a webhook receiver has to answer one delivery attempt. */
  @Transform(toInt)
  @IsInt({ message: 'WEBHOOK_TIMEOUT_MS must be an integer between 100 and 60000' })
  @Min(100, { message: 'WEBHOOK_TIMEOUT_MS must be an integer between 100 and 60000' })
  @Max(60_000, { message: 'WEBHOOK_TIMEOUT_MS must be an integer between 100 and 60000' })
  WEBHOOK_TIMEOUT_MS = 5000;

  /**
   * The console's OpenID Connect provider (e.g. ProConnect). Unset: console sign-in is off (bearer
   * tokens still work). Discovery happens at the first sign-in, never at start.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'OIDC_ISSUER_URL must be an http(s) URL' })
  OIDC_ISSUER_URL?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,255}$/, { message: 'OIDC_CLIENT_ID must be 1-255 printable characters' })
  OIDC_CLIENT_ID?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,1024}$/, { message: 'OIDC_CLIENT_SECRET must be 1-1024 printable characters' })
  OIDC_CLIENT_SECRET?: string;

  /**
   * The claim (ID token, else userinfo) whose value, `admin`, `officer` or `auditor`, gives a first
   * sign-in its role; a dotted path reaches nested claims (`realm_access.roles`). Unset: only
   * officers who already exist can sign in.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_:/.-]{1,200}$/, {
    message: 'OIDC_ROLE_CLAIM must be a claim name (letters, digits, _ : / . -)',
  })
  OIDC_ROLE_CLAIM?: string;

  /** Scopes asked of the provider; `openid` and `email` are needed to match officers. */
  @Matches(/^openid( [\x21-\x7e]+)*$/, {
    message: 'OIDC_SCOPES must start with openid, scopes separated by single spaces',
  })
  OIDC_SCOPES = 'openid email';

  /**
   * The tenant (slug) that officers signing in for the first time join, and where e-mails are
   * matched. Unset: e-mails are matched in every tenant, and first sign-ins join the only tenant
   * when there is exactly one.
   */
  @IsOptional()
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, { message: 'OIDC_TENANT must be a tenant slug' })
  OIDC_TENANT?: string;

  /**
   * PKCE (S256) on the authorization request. Keep it on; the switch exists for a provider that
   * refuses authorization parameters it does not know (check yours before turning it off).
   */
  @Transform(toBool)
  @IsBoolean({ message: 'OIDC_PKCE must be true or false' })
  OIDC_PKCE = true;

  /** How long a call to the provider (discovery, code exchange, userinfo) may take. */
  @Transform(toInt)
  @IsInt({ message: 'OIDC_TIMEOUT_SECONDS must be an integer between 1 and 60' })
  @Min(1, { message: 'OIDC_TIMEOUT_SECONDS must be an integer between 1 and 60' })
  @Max(60, { message: 'OIDC_TIMEOUT_SECONDS must be an integer between 1 and 60' })
  OIDC_TIMEOUT_SECONDS = 5;

  /**
   * The console's address as officers' browsers reach it: the redirect URI registered at the
   * provider is this plus `/auth/callback`; https makes the session cookies Secure. Unset:
   * `http://127.0.0.1:<API_PORT>`.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+\/?$/, {
    message:
      'CONSOLE_PUBLIC_URL must be an http(s) origin without a path, e.g. https://rempart.example.gouv.fr',
  })
  CONSOLE_PUBLIC_URL?: string;

  /** A console session unused for this long ends. */
  @Transform(toInt)
  @IsInt({ message: 'CONSOLE_SESSION_IDLE_SECONDS must be an integer between 1 and 86400' })
  @Min(1, { message: 'CONSOLE_SESSION_IDLE_SECONDS must be an integer between 1 and 86400' })
  @Max(86_400, { message: 'CONSOLE_SESSION_IDLE_SECONDS must be an integer between 1 and 86400' })
  CONSOLE_SESSION_IDLE_SECONDS = 1800;

  /** A console session ends this long after sign-in, however active. */
  @Transform(toInt)
  @IsInt({ message: 'CONSOLE_SESSION_MAX_SECONDS must be an integer between 1 and 604800' })
  @Min(1, { message: 'CONSOLE_SESSION_MAX_SECONDS must be an integer between 1 and 604800' })
  @Max(604_800, { message: 'CONSOLE_SESSION_MAX_SECONDS must be an integer between 1 and 604800' })
  CONSOLE_SESSION_MAX_SECONDS = 43_200;

  /** Time allowed between leaving for the provider and coming back to /auth/callback. */
  @Transform(toInt)
  @IsInt({ message: 'CONSOLE_SIGNIN_TIMEOUT_SECONDS must be an integer between 1 and 3600' })
  @Min(1, { message: 'CONSOLE_SIGNIN_TIMEOUT_SECONDS must be an integer between 1 and 3600' })
  @Max(3600, { message: 'CONSOLE_SIGNIN_TIMEOUT_SECONDS must be an integer between 1 and 3600' })
  CONSOLE_SIGNIN_TIMEOUT_SECONDS = 600;

  /** Skip migrations at start (when an operator runs `npm run migration:run` as its own step). */
  @Transform(toBool)
  @IsBoolean({ message: 'DB_SKIP_MIGRATIONS must be true or false' })
  DB_SKIP_MIGRATIONS = false;
}

const SECRETS = ['REMPART_MASTER_KEY', 'AUDIT_HMAC_KEY'] as const;

export type AppConfig = Readonly<
  Omit<EnvironmentVariables, (typeof SECRETS)[number] | 'BIND_ADDRESS' | 'CONSOLE_PUBLIC_URL'>
> & {
  /** BIND_ADDRESS, or its default for NODE_ENV. */
  readonly BIND_ADDRESS: string;
  /** CONSOLE_PUBLIC_URL without a trailing slash, or its default from API_PORT. */
  readonly CONSOLE_PUBLIC_URL: string;
  /** The console's OpenID Connect client, or null when OIDC_ISSUER_URL is unset (sign-in off). */
  readonly oidc: OidcClientConfig | null;
  /** Encrypts stored private keys (AES-256-GCM through HKDF); see resolveSecret for where it comes from. */
  readonly masterKey: string;
  /**
   * Older master keys that still decrypt (never encrypt): in development, the published constant
   * that development installs used before keys were generated, so their data stays readable.
   */
  readonly masterKeyFallbacks: readonly string[];
  /** Signs audit events' hashes, so that rewriting the chain needs more than database rights. */
  readonly auditHmacKey: string;
  /** Lines each process prints at start (development keys generated or read from .rempart/). */
  readonly notices: readonly string[];
  /** MDM_TRUSTED_PROXIES, parsed. */
  readonly trustedProxies: TrustedProxies;
  /** The certificate(s) read from APNS_CA_FILE (PEM), for ApnsClient's `ca`; undefined when unset. */
  readonly apnsCaPem?: string;
};

export interface OidcClientConfig {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Where development keeps the keys it generates (default `.rempart/` in the working directory). */
  stateDir?: string;
}

/** Reads and validates the environment; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const raw: Record<string, string> = {};
  for (const key of [...known, ...SECRETS]) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    const secret =
      (SECRETS as readonly string[]).includes(first.property) || first.property.endsWith('_SECRET');
    const shown = secret ? '' : ` (got ${JSON.stringify(raw[first.property])})`;
    throw new ConfigError(`Invalid configuration: ${reason}${shown}`);
  }
  const { REMPART_MASTER_KEY, AUDIT_HMAC_KEY, ...rest } = parsed;
  const stateDir = options.stateDir ?? resolve('.rempart');
  let master, audit;
  try {
    master = resolveSecret('REMPART_MASTER_KEY', REMPART_MASTER_KEY, parsed.NODE_ENV, stateDir);
    audit = resolveSecret('AUDIT_HMAC_KEY', AUDIT_HMAC_KEY, parsed.NODE_ENV, stateDir);
  } catch (error) {
    if (error instanceof SecretConfigError) throw new ConfigError(`Invalid configuration: ${error.message}`);
    throw error;
  }
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = TrustedProxies.parse(parsed.MDM_TRUSTED_PROXIES);
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: MDM_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges: ${(error as Error).message}`,
    );
  }
  if (parsed.MDM_CLIENT_CERT_HEADER && trustedProxies.entries.length === 0) {
    throw new ConfigError(
      'Invalid configuration: MDM_TRUSTED_PROXIES is required when MDM_CLIENT_CERT_HEADER is set (the addresses of the TLS proxies that may send it)',
    );
  }
  const oidc = oidcClientConfig(parsed);
  const apnsCaPem = parsed.APNS_CA_FILE === '' ? undefined : readCaFile('APNS_CA_FILE', parsed.APNS_CA_FILE);
  const fallbacks =
    parsed.NODE_ENV === 'development' && master.value !== PUBLISHED_DEVELOPMENT_MASTER_KEY
      ? [PUBLISHED_DEVELOPMENT_MASTER_KEY]
      : [];
  return Object.freeze({
    ...rest,
    BIND_ADDRESS: rest.BIND_ADDRESS ?? (parsed.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    CONSOLE_PUBLIC_URL: (rest.CONSOLE_PUBLIC_URL ?? `http://127.0.0.1:${rest.API_PORT}`).replace(/\/$/, ''),
    oidc,
    masterKey: master.value,
    masterKeyFallbacks: Object.freeze(fallbacks),
    auditHmacKey: audit.value,
    notices: Object.freeze([master.notice, audit.notice].filter((n): n is string => n !== undefined)),
    trustedProxies,
    ...(apnsCaPem === undefined ? {} : { apnsCaPem }),
  });
}

/** The keys that may decrypt a stored secret, current first. */
export const decryptionKeys = (config: AppConfig): readonly string[] => [
  config.masterKey,
  ...config.masterKeyFallbacks,
];

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** All three OIDC variables or none; plain http only to a provider on this machine (tests, demo). */
function oidcClientConfig(parsed: EnvironmentVariables): OidcClientConfig | null {
  const { OIDC_ISSUER_URL: issuerUrl, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = parsed;
  if (issuerUrl === undefined && clientId === undefined && clientSecret === undefined) return null;
  const missing = [
    issuerUrl === undefined ? 'OIDC_ISSUER_URL' : undefined,
    clientId === undefined ? 'OIDC_CLIENT_ID' : undefined,
    clientSecret === undefined ? 'OIDC_CLIENT_SECRET' : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration: ${missing.join(' and ')} must be set too when any of OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET is`,
    );
  }
  const url = new URL(issuerUrl!);
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    throw new ConfigError(
      `Invalid configuration: OIDC_ISSUER_URL must be https (plain http only for a provider on this machine) (got ${JSON.stringify(issuerUrl)})`,
    );
  }
  return Object.freeze({ issuerUrl: issuerUrl!, clientId: clientId!, clientSecret: clientSecret! });
}

/** Reads a PEM CA file at start, so that a wrong path stops the process here and not at the first push. */
function readCaFile(name: string, file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ConfigError(
      `Invalid configuration: ${name} cannot be read (${code}) (got ${JSON.stringify(file)})`,
    );
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(
      `Invalid configuration: ${name} is not a PEM certificate (got ${JSON.stringify(file)})`,
    );
  }
  return pem;
}
