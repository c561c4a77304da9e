import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApnsClient } from '#libs/apple';
import { FakeApns } from '../fakes/fake-apns.js';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { makePushCertificate } from '../support/push-certificate.js';
import type { SeededTenant } from '../support/api-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';
import { wakeOnPush } from '../simulators/push-wakeup.js';

/*
 * The APNs leg end to end, minus the rollout that will drive it: a phone enrolled in the real mdm
 * process has the ban queued but does nothing until an MDM push through ApnsClient and the fake
 * APNs wakes it; then it checks in and installs the ban.
 */

const WHATSAPP = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.1.0' };

describe('an APNs push wakes an enrolled simulated iPhone, which then installs the ban', () => {
  const push = makePushCertificate();
  let h: MdmHarness;
  let dinum: SeededTenant;
  let fake: FakeApns;
  let client: ApnsClient;
  const as = (role: 'admin' | 'officer') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });

  beforeAll(async () => {
    fake = await FakeApns.start();
    client = new ApnsClient({ url: fake.url, ca: fake.caPem, ...push });
    h = await startApiAndMdm();
    dinum = await h.api.seedTenant('dinum');
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
      .send({ slug: 'cabinets', name: 'Cabinets' })
      .expect(201);
    await h.api
      .http()
      .post('/v1/policies')
      .set(as('officer'))
      .send({
        slug: 'messageries',
        name: 'Messageries',
        groups: ['cabinets'],
        blockLists: ['fr-gov-2023-messaging'],
      })
      .expect(201);
    await h.api.http().post('/v1/policies/messageries/versions').set(as('officer')).expect(201);
  });
  afterAll(async () => {
    await client.close();
    await fake.stop();
    await h.close();
  });

  it('checks in on the push and stops WhatsApp from launching', async () => {
    const enrollment = await h.api
      .http()
      .post('/v1/enrollments')
      .set(as('officer'))
      .send({ group: 'cabinets', platform: 'ios' })
      .expect(201);
    const phone = new SimulatedIphone({ supervised: true, installedApps: [WHATSAPP] });
    await phone.enroll(enrollment.body.enrollUrl as string);
    const wakeup = wakeOnPush(fake, [phone]);
    expect(phone.canLaunch(WHATSAPP.identifier)).toBe(true); // the ban is queued, not yet fetched

    const result = await client.push({
      deviceToken: phone.pushToken.toString('hex'),
      pushMagic: phone.pushMagic,
      topic: phone.enrollment?.topic ?? '',
    });
    expect(result.outcome).toBe('accepted');
    await wakeup.stop();

    expect(wakeup.failures).toEqual([]);
    expect(wakeup.processed.get(phone.udid)?.map((c) => [c.requestType, c.status])).toEqual(
      expect.arrayContaining([['InstallProfile', 'Acknowledged']]),
    );
    expect(phone.canLaunch(WHATSAPP.identifier)).toBe(false);
    expect(fake.pushesFor(phone.pushToken.toString('hex'))).toEqual([
      expect.objectContaining({ topic: push.topic, pushMagic: phone.pushMagic, status: 200 }),
    ]);
  });
});
