export type { Actor } from './actor.js';
export { AuditService } from './audit.service.js';
export type { AuditEntry, AuditQuery, ChainVerification } from './audit.service.js';
export { AuditModule } from './audit.module.js';
export { chainHash, chainMac, canonicalJson, GENESIS_HASH } from './audit-chain.js';
