import type { ApiHarness, SeededTenant } from './api-harness.js';
import { bearer } from './officer-actions.js';
import { type RolloutHarness, startRollouts } from './rollout-harness.js';
import { FakeAmapi } from '../fakes/fake-amapi.js';

/** The fake AMAPI, and api + mdm + worker wired to it; its Pub/Sub notifications go to mdm. */
export async function startRolloutsWithFakeAmapi(): Promise<{ fake: FakeAmapi; r: RolloutHarness }> {
  const fake = await FakeAmapi.start();
  const r = await startRollouts({
    AMAPI_ROOT_URL: fake.rootUrl,
    AMAPI_PUSH_SERVICE_ACCOUNT: fake.pushServiceAccount,
    GOOGLE_OIDC_CERTS_URL: fake.certsUrl,
    AMAPI_RETRY_BASE_MS: '20',
  });
  fake.pushTo({ url: `${r.h.mdmUrl}/android/notifications` });
  return { fake, r };
}

/** Creates an enterprise in the fake and binds it to the tenant (PUT /v1/android/enterprise); answers its name. */
export async function bindAndroidEnterprise(
  api: ApiHarness,
  tenant: SeededTenant,
  fake: FakeAmapi,
  displayName: string,
): Promise<string> {
  const enterpriseName = fake.createEnterprise(displayName);
  await api
    .http()
    .put('/v1/android/enterprise')
    .set(bearer(tenant, 'admin'))
    .send({ enterpriseName, serviceAccountKey: fake.serviceAccountKey() })
    .expect(200);
  return enterpriseName;
}
