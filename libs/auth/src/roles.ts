import type { OfficerRole } from '#libs/persistence';

const RANK: Record<OfficerRole, number> = { auditor: 1, officer: 2, admin: 3 };

/** Auditors read; officers also manage lists, groups, policies and enrollments; admins also manage officers and tokens. */
export function roleSatisfies(role: OfficerRole, required: OfficerRole): boolean {
  return RANK[role] >= RANK[required];
}

/** The role a route needs when it does not say: reading needs auditor, changing needs officer. */
export function defaultRequiredRole(httpMethod: string): OfficerRole {
  return ['GET', 'HEAD', 'OPTIONS'].includes(httpMethod.toUpperCase()) ? 'auditor' : 'officer';
}
