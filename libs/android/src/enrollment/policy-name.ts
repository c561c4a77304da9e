/*
 * One AMAPI policy per device group: `enterprises/{e}/policies/{tenant}_{group}`. The id is derived,
 * never stored, so the enrollment tokens, the rollout and the sync all name the same policy.
 */

const SAFE = /[^a-z0-9-]/g;

export function groupPolicyId(tenantSlug: string, groupSlug: string): string {
  return `${tenantSlug.toLowerCase().replace(SAFE, '-')}_${groupSlug.toLowerCase().replace(SAFE, '-')}`;
}

export function groupPolicyName(enterpriseName: string, tenantSlug: string, groupSlug: string): string {
  return `${enterpriseName}/policies/${groupPolicyId(tenantSlug, groupSlug)}`;
}

/** `enterprises/LC0abc` from any resource name below it (devices, policies, enrollment tokens). */
export function enterpriseOf(resourceName: string): string | undefined {
  const match = /^(enterprises\/[^/]+)(\/|$)/.exec(resourceName);
  return match?.[1];
}

/** The last segment of a resource name (a device's id within its enterprise). */
export function lastSegment(resourceName: string): string {
  return resourceName.slice(resourceName.lastIndexOf('/') + 1);
}
