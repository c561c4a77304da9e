import { expect } from '@jest/globals';
import type { SeededTenant } from './api-harness.js';
import type { MdmHarness } from './mdm-harness.js';
import { makePushCertificate } from './push-certificate.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';
import { scepEnroll, type ScepIdentity } from '../simulators/scep-client.js';

export type Role = 'admin' | 'officer' | 'auditor';

export interface AppleTenant {
  tenant: SeededTenant;
  topic: string;
  as: (role: Role) => { Authorization: string };
  /** POST /v1/enrollments for the tenant's `phones` group. */
  enrollment: (body?: Record<string, unknown>) => Promise<{ id: string; token: string; enrollUrl: string }>;
}

/** A tenant ready to enroll iPhones: officers, an APNs push certificate and a `phones` group. */
export async function prepareAppleTenant(h: MdmHarness, slug: string): Promise<AppleTenant> {
  const tenant = await h.api.seedTenant(slug);
  const as = (role: Role) => ({ Authorization: `Bearer ${tenant.tokens[role]}` });
  const push = makePushCertificate();
  await h.api
    .http()
    .put('/v1/apple/push-certificate')
    .set(as('admin'))
    .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem })
    .expect(200);
  await h.api
    .http()
    .post('/v1/groups')
    .set(as('officer'))
    .send({ slug: 'phones', name: 'Phones' })
    .expect(201);
  const enrollment = async (body: Record<string, unknown> = {}) => {
    const res = await h.api
      .http()
      .post('/v1/enrollments')
      .set(as('officer'))
      .send({ group: 'phones', platform: 'ios', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string; enrollUrl: string };
  };
  return { tenant, topic: push.topic, as, enrollment };
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
