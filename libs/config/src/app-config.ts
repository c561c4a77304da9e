import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
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

  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'AMAPI_ROOT_URL must be an http(s) URL' })
  AMAPI_ROOT_URL = 'https://androidmanagement.googleapis.com/';

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

  /** Skip migrations at start (when an operator runs `npm run migration:run` as its own step). */
  @Transform(toBool)
  @IsBoolean({ message: 'DB_SKIP_MIGRATIONS must be true or false' })
  DB_SKIP_MIGRATIONS = false;
}

export type AppConfig = Readonly<Omit<EnvironmentVariables, 'REMPART_MASTER_KEY'>> & {
  /** MDM_TRUSTED_PROXIES, parsed. */
  readonly trustedProxies: TrustedProxies;
  /** Key material for encrypting stored private keys; a fixed development key outside production. */
  readonly masterKey: string;
  readonly masterKeyIsDevelopmentDefault: boolean;
  /** The certificate(s) read from APNS_CA_FILE (PEM), for ApnsClient's `ca`; undefined when unset. */
  readonly apnsCaPem?: string;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Only for development and tests: production refuses to start without REMPART_MASTER_KEY. */
const DEVELOPMENT_MASTER_KEY = 'rempart-development-master-key-not-for-production-use';

/** Reads and validates the environment; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const raw: Record<string, string> = {};
  for (const key of [...known, 'REMPART_MASTER_KEY']) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    const shown =
      first.property === 'REMPART_MASTER_KEY' ? '' : ` (got ${JSON.stringify(raw[first.property])})`;
    throw new ConfigError(`Invalid configuration: ${reason}${shown}`);
  }
  if (parsed.NODE_ENV === 'production' && !parsed.REMPART_MASTER_KEY) {
    throw new ConfigError('Invalid configuration: REMPART_MASTER_KEY is required when NODE_ENV=production');
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
  const apnsCaPem = parsed.APNS_CA_FILE === '' ? undefined : readCaFile('APNS_CA_FILE', parsed.APNS_CA_FILE);
  const { REMPART_MASTER_KEY, ...rest } = parsed;
  return Object.freeze({
    ...rest,
    trustedProxies,
    masterKey: REMPART_MASTER_KEY ?? DEVELOPMENT_MASTER_KEY,
    masterKeyIsDevelopmentDefault: !REMPART_MASTER_KEY,
    ...(apnsCaPem === undefined ? {} : { apnsCaPem }),
  });
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
