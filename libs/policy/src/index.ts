export type { BanSpec } from './ban-spec.js';
export { resolveBanSpec, type PolicyDefinition, type ResolveBanSpecInput } from './resolve-ban-spec.js';
export { diffBanSpecs, type BanSpecDiff, type IdentifierChanges } from './diff-ban-specs.js';
export {
  PolicyError,
  PolicyConflictError,
  type PolicyErrorCode,
  type PolicyConflictCode,
  type PolicyConflict,
} from './policy-error.js';
