import type { ApiHarness, SeededTenant } from './api-harness.js';
import { makePushCertificate } from './push-certificate.js';

/*
 * What officers do to set a tenant up, through the API, as the tests' set-up does it again and again.
 * Each expects the status a working set-up answers, so a set-up that broke fails where it broke.
 */

export type Role = 'admin' | 'officer' | 'auditor';

/** The Authorization header of the tenant's seeded officer with `role`. */
export const bearer = (tenant: SeededTenant, role: Role) => ({
  Authorization: `Bearer ${tenant.tokens[role]}`,
});

/** PUT /v1/apple/push-certificate as admin (a new certificate unless one is given); answers its body. */
export async function uploadPushCertificate(
  api: ApiHarness,
  tenant: SeededTenant,
  push: { certificatePem: string; privateKeyPem: string } = makePushCertificate(),
): Promise<{ topic: string; notAfter: string }> {
  const uploaded = await api
    .http()
    .put('/v1/apple/push-certificate')
    .set(bearer(tenant, 'admin'))
    .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem })
    .expect(200);
  return uploaded.body;
}

/** POST /v1/groups as officer. */
export async function createGroup(
  api: ApiHarness,
  tenant: SeededTenant,
  slug: string,
  name: string,
): Promise<void> {
  await api.http().post('/v1/groups').set(bearer(tenant, 'officer')).send({ slug, name }).expect(201);
}

export interface PolicyBody {
  slug: string;
  name: string;
  groups: string[];
  blockLists: string[];
  allowLists?: string[];
}

/** The French messaging ban on the `cabinets` group, approved messengers allowed: what most tests publish. */
export function messagingBan(overrides: Partial<PolicyBody> = {}): PolicyBody {
  return {
    slug: 'messageries',
    name: 'Messageries grand public',
    groups: ['cabinets'],
    blockLists: ['fr-gov-2023-messaging'],
    allowLists: ['fr-gov-2023-messaging-approved'],
    ...overrides,
  };
}

/** POST /v1/policies as officer. */
export async function createPolicy(api: ApiHarness, tenant: SeededTenant, body: PolicyBody): Promise<void> {
  await api.http().post('/v1/policies').set(bearer(tenant, 'officer')).send(body).expect(201);
}

/** POST /v1/policies/{slug}/versions as officer: publishes the next version; answers its body. */
export async function publishVersion(
  api: ApiHarness,
  tenant: SeededTenant,
  slug: string,
): Promise<{ version: number; rolloutId: string }> {
  return (await api.http().post(`/v1/policies/${slug}/versions`).set(bearer(tenant, 'officer')).expect(201))
    .body;
}

export interface EnrollmentAnswer {
  id: string;
  token: string;
  enrollUrl: string;
  /** Android only: the AMAPI enrollment token a phone enrolls with. */
  androidToken?: string;
}

/** POST /v1/enrollments as officer; answers its body. */
export async function createEnrollment(
  api: ApiHarness,
  tenant: SeededTenant,
  body: { group: string; platform: 'ios' | 'android'; maxUses?: number },
): Promise<EnrollmentAnswer> {
  return (await api.http().post('/v1/enrollments').set(bearer(tenant, 'officer')).send(body).expect(201))
    .body;
}
