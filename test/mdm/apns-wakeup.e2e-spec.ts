import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApnsClient } from '#libs/apple';
import { FakeApns } from '../fakes/fake-apns.js';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { type AppleTenant, prepareAppleTenant } from '../support/apple-tenant.js';
import { createPolicy, messagingBan, publishVersion } from '../support/officer-actions.js';
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
  let enrollment: AppleTenant['enrollment'];

  beforeAll(async () => {
    fake = await FakeApns.start();
    client = new ApnsClient({ url: fake.url, ca: fake.caPem, ...push });
    h = await startApiAndMdm();
    const apple = await prepareAppleTenant(h, 'dinum', {
      group: { slug: 'cabinets', name: 'Cabinets' },
      push,
    });
    dinum = apple.tenant;
    enrollment = apple.enrollment;
    await createPolicy(h.api, dinum, messagingBan({ name: 'Messageries', allowLists: undefined }));
    await publishVersion(h.api, dinum, 'messageries');
  });
  afterAll(async () => {
    await client.close();
    await fake.stop();
    await h.close();
  });

  it('checks in on the push and stops WhatsApp from launching', async () => {
    const { enrollUrl } = await enrollment();
    const phone = new SimulatedIphone({ supervised: true, installedApps: [WHATSAPP] });
    await phone.enroll(enrollUrl);
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
