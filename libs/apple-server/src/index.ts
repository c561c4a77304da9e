/*
 * The Apple side of the server: NestJS services that keep their state in PostgreSQL (tenant CAs and
 * signing identities, enrollment, check-in, command queue, push certificates). The protocol itself
 * (plist, profiles, CMS, SCEP, MDM messages, APNs) is in #libs/apple, which imports no database.
 */
export { AppleModule } from './tenant-signing/apple.module.js';
export { SigningIdentitiesService } from './tenant-signing/signing-identities.service.js';
export type { SigningIdentityView } from './tenant-signing/signing-identities.service.js';
export * from './mdm-server/index.js';
export * from './ade/index.js';
