import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AmapiClient, AmapiError, compileAndroidPolicy, parseServiceAccountKey } from '#libs/android';
import { FakeAmapi } from '../fakes/fake-amapi.js';
import { frenchMessagingBan } from '../fixtures/ban-specs.js';

const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 };
const policy = compileAndroidPolicy({
  ...frenchMessagingBan,
  android: { blocked: ['com.whatsapp'], allowed: ['io.olvid.messenger'], forceInstalled: [] },
});

describe('AmapiClient against the fake AMAPI', () => {
  let fake: FakeAmapi;
  let client: AmapiClient;
  let enterprise: string;

  beforeAll(async () => {
    fake = await FakeAmapi.start();
    enterprise = fake.createEnterprise();
    const key = parseServiceAccountKey(fake.serviceAccountKey(), { allowInsecureTokenUri: true });
    client = new AmapiClient({ key, rootUrl: fake.rootUrl, retry: FAST_RETRY });
  });
  afterAll(() => fake.stop());

  it('gets its access token from the key token_uri (the fake), once, and uses it', async () => {
    await client.getEnterprise(enterprise);
    await client.getEnterprise(enterprise);
    expect(fake.tokensIssued).toBe(1);
  });

  it('patches a policy with an explicit updateMask naming exactly the fields sent', async () => {
    const name = `${enterprise}/policies/dinum_cabinets`;
    const patched = await client.patchPolicy(name, policy, Object.keys(policy));
    expect(patched.version).toBe('1');
    expect(fake.requests.at(-1)).toBe(
      `PATCH /v1/${name}?updateMask=applications%2CplayStoreMode%2CstatusReportingSettings%2CadvancedSecurityOverrides`,
    );
    await expect(client.patchPolicy(name, policy, ['applications'])).rejects.toMatchObject({
      reason: 'UPDATE_MASK_MISMATCH',
    });
  });

  it('the fake refuses a patch without updateMask, as a guard for every caller', async () => {
    await client.getEnterprise(enterprise);
    const token = [...(fake as unknown as { accessTokens: Set<string> }).accessTokens][0];
    const response = await fetch(`${fake.rootUrl}v1/${enterprise}/policies/p1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(policy),
    });
    expect(response.status).toBe(400);
  });

  it('retries 429 and 5xx with backoff until the call succeeds', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 0 });
    fake.failNext(1, { status: 503 });
    fake.failNext(1, { status: 500 });
    const before = fake.requests.length;
    await expect(client.getEnterprise(enterprise)).resolves.toMatchObject({ name: enterprise });
    expect(fake.requests.length - before).toBe(4);
  });

  it('gives up after its attempts with the last AMAPI error, and never retries a 4xx', async () => {
    fake.failNext(4, { status: 503 });
    await expect(client.getEnterprise(enterprise)).rejects.toMatchObject({
      status: 503,
      reason: 'UNAVAILABLE',
    });
    const before = fake.requests.length;
    const error = await client.getEnterprise('enterprises/LCnope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmapiError);
    expect(error).toMatchObject({ status: 404, reason: 'NOT_FOUND' });
    expect(fake.requests.length - before).toBe(1);
  });

  it('pages devices.list at 100 and prefetches the next page', async () => {
    fake.synthetic = { count: 250, device: (i) => ({ name: `${enterprise}/devices/s${i}` }) };
    const before = fake.requests.length;
    const pages: number[] = [];
    for await (const page of client.listDevices(enterprise)) pages.push(page.length);
    expect(pages).toEqual([100, 100, 50]);
    const lists = fake.requests.slice(before);
    expect(lists).toHaveLength(3);
    expect(lists.every((r) => r.includes('pageSize=100'))).toBe(true);
    fake.synthetic = null;
  });

  it('creates and deletes enrollment tokens; deleting a deleted token is not an error', async () => {
    const token = await client.createEnrollmentToken(enterprise, {
      policyName: `${enterprise}/policies/dinum_cabinets`,
      duration: '3600s',
      oneTimeOnly: true,
    });
    expect(token.value).toMatch(/^[A-Z0-9]+$/);
    await client.deleteEnrollmentToken(token.name!);
    await expect(client.deleteEnrollmentToken(token.name!)).resolves.toBeUndefined();
    expect(fake.tokens.size).toBe(0);
  });
});
