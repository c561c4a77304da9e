export { loadConfig, ConfigError, EnvironmentVariables, decryptionKeys } from './app-config.js';
export type { LoadConfigOptions } from './app-config.js';
export type { AppConfig, OidcClientConfig } from './app-config.js';
export { ConfigModule, APP_CONFIG } from './config.module.js';
export { TrustedProxies } from './trusted-proxies.js';
