export { resolveBanSpec, type PolicyDefinition, type ResolveBanSpecInput } from './resolve-ban-spec.js';
export { diffBanSpecs, type BanSpecDiff, type IdentifierChanges } from './diff-ban-specs.js';
export {
  PolicyError,
  PolicyConflictError,
  type PolicyErrorCode,
  type PolicyConflictCode,
  type PolicyConflict,
} from './policy-error.js';
export { toDomainException, withDomainErrors } from './domain-errors.js';
export { AppListsService } from './lists/app-lists.service.js';
export type { ResolvedAppList } from './lists/app-lists.service.js';
export { PoliciesService } from './policies/policies.service.js';
export type {
  PolicyDraft,
  PolicyInput,
  PolicyPatch,
  PublishedVersion,
  PublishOptions,
} from './policies/policies.service.js';
export { blockedAppsLine, describeVersionContents, policyWarnings } from './version-contents.js';
export type { VersionApp, VersionContents, VersionSide } from './version-contents.js';
export { PolicyImpactService } from './impact/policy-impact.service.js';
export type { ImpactApp, PolicyImpact } from './impact/policy-impact.service.js';
export { PolicyModule } from './policy.module.js';
