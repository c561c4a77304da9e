export {
  DEFAULT_PLIST_MAX_BYTES,
  PlistError,
  decodePlist,
  decodePlistDict,
  encodePlist,
} from './plist/plist-codec.js';
export type {
  DecodePlistOptions,
  EncodePlistOptions,
  PlistDict,
  PlistErrorCode,
  PlistValue,
} from './plist/plist-codec.js';

export {
  DEFAULT_PROFILE_IDENTIFIER_PREFIX,
  RESTRICTIONS_PAYLOAD_TYPE,
  RestrictionsProfileError,
  buildRestrictionsProfile,
  compileRestrictionsProfile,
  restrictionsProfileIdentifier,
  restrictionsProfileUuids,
} from './profiles/restrictions-profile.js';
export type {
  RestrictionsPayload,
  RestrictionsProfile,
  RestrictionsProfileOptions,
} from './profiles/restrictions-profile.js';
export { IOS_ALLOWLIST_SYSTEM_APPS, IOS_ALLOWLIST_SYSTEM_BUNDLE_IDS } from './profiles/ios-system-apps.js';
export { REMPART_UUID_NAMESPACE, uuidV5 } from './profiles/deterministic-uuid.js';

export { CmsSigner } from './signing/cms-signer.js';
export type { CmsSignerOptions } from './signing/cms-signer.js';

export { SigningIdentityError } from './pki/signing-identity-error.js';
export type { SigningIdentityErrorCode } from './pki/signing-identity-error.js';
export type { SigningIdentity } from './pki/certificates.js';
export { importSigningIdentity } from './pki/import-signing-identity.js';
export type {
  ImportSigningIdentityOptions,
  ImportedSigningIdentity,
  SigningIdentityInput,
} from './pki/import-signing-identity.js';
export { MAX_PKCS12_BYTES, MAX_PKCS12_ITERATIONS } from './pki/pkcs12.js';
export {
  PROFILE_SIGNING_VALIDITY_YEARS,
  TENANT_CA_VALIDITY_YEARS,
  generateTenantCa,
  generateTenantSigningIdentity,
  issueProfileSigningCertificate,
} from './pki/tenant-signing-identity.js';
export type {
  GenerateTenantSigningIdentityOptions,
  IssueProfileSigningCertificateOptions,
  TenantSigningIdentity,
} from './pki/tenant-signing-identity.js';
export {
  MIN_MASTER_KEY_LENGTH,
  SecretBoxError,
  decryptSecret,
  decryptSecretBytes,
  encryptSecret,
} from './pki/secret-box.js';
export type { SecretBoxErrorCode } from './pki/secret-box.js';

export { loadAppleProfileSchemas, validatePayloadAgainstSchema } from './schema/apple-profile-schema.js';
export type {
  ApplePlatform,
  AppleProfileSchema,
  AppleProfileSchemas,
  AppleSchemaKey,
  SchemaIssue,
  SchemaIssueCode,
  SchemaIssueSeverity,
  SchemaValidationOptions,
  SchemaValidationResult,
} from './schema/apple-profile-schema.js';

// Pure Node (http2, crypto): usable by a worker without NestJS or TypeORM.
export * from './apns/index.js';
export * from './scep/index.js';
export * from './mdm/index.js';
export * from './enrollment/index.js';
export * from './ade/index.js';
