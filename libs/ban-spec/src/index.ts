export type { BanSpec } from './ban-spec.js';
