import { expect } from '@jest/globals';
import type { SeededTenant } from './api-harness.js';
import type { MdmHarness } from './mdm-harness.js';
import { bearer, createGroup, type Role, uploadPushCertificate } from './officer-actions.js';
import { makePushCertificate } from './push-certificate.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';
import { scepEnroll, type ScepIdentity } from '../simulators/scep-client.js';

export interface AppleTenant {
  tenant: SeededTenant;
  topic: string;
  /** What PUT /v1/apple/push-certificate answered. */
  pushCertificate: { topic: string; notAfter: string };
  as: (role: Role) => { Authorization: string };
  /** POST /v1/enrollments (iOS) for the tenant's group. */
  enrollment: (body?: Record<string, unknown>) => Promise<{ id: string; token: string; enrollUrl: string }>;
}

export interface AppleTenantOptions {
  /** The group phones enroll into; `phones` unless given. */
  group?: { slug: string; name: string };
  /** The APNs push certificate to upload; a new one unless given (a test that pushes needs its key). */
  push?: { certificatePem: string; privateKeyPem: string; topic: string };
}

/** A tenant ready to enroll iPhones: officers, an APNs push certificate and a group. */
export async function prepareAppleTenant(
  h: MdmHarness,
  slug: string,
  options: AppleTenantOptions = {},
): Promise<AppleTenant> {
  const group = options.group ?? { slug: 'phones', name: 'Phones' };
  const tenant = await h.api.seedTenant(slug);
  const as = (role: Role) => bearer(tenant, role);
  const push = options.push ?? makePushCertificate();
  const pushCertificate = await uploadPushCertificate(h.api, tenant, push);
  await createGroup(h.api, tenant, group.slug, group.name);
  const enrollment = async (body: Record<string, unknown> = {}) => {
    const res = await h.api
      .http()
      .post('/v1/enrollments')
      .set(as('officer'))
      .send({ group: group.slug, platform: 'ios', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string; enrollUrl: string };
  };
  return { tenant, topic: push.topic, pushCertificate, as, enrollment };
}

/** The SCEP URL and one-time challenge of a downloaded enrollment profile (its plist is XML inside the CMS). */
export function scepPayloadOf(profile: Buffer): { url: string; challenge: string } {
  const text = profile.toString('latin1');
  const challenge = /<key>Challenge<\/key>\s*<string>([^<]+)<\/string>/.exec(text)?.[1];
  const url = /<key>URL<\/key>\s*<string>([^<]+\/scep)<\/string>/.exec(text)?.[1];
  if (!challenge || !url) throw new Error('the enrollment profile has no SCEP payload');
  return { url, challenge };
}

export async function downloadProfile(enrollUrl: string): Promise<Buffer> {
  const res = await fetch(enrollUrl);
  if (res.status !== 200) throw new Error(`GET ${enrollUrl}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Runs the SCEP step of a downloaded profile alone (a phone that has its certificate, not yet Authenticate). */
export function scepIdentityFrom(profile: Buffer): Promise<ScepIdentity> {
  return scepEnroll(scepPayloadOf(profile));
}

/** A simulated iPhone holding `identity`, pointed at the tenant's MDM URLs, that has sent nothing yet. */
export function phoneWithIdentity(
  h: MdmHarness,
  apple: AppleTenant,
  identity: ScepIdentity,
  options: { udid?: string } = {},
): SimulatedIphone {
  const phone = new SimulatedIphone({ supervised: true, installedApps: [], ...options });
  phone.useEnrollment({
    serverUrl: `${h.mdmUrl}/mdm/${apple.tenant.id}/server`,
    checkInUrl: `${h.mdmUrl}/mdm/${apple.tenant.id}/checkin`,
    topic: apple.topic,
    signMessage: true,
    checkOutWhenRemoved: true,
    identity: { certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem },
    anchorCertificatesPem: [],
  });
  return phone;
}
