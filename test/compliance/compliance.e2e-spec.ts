import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { verifyWebhook } from '#libs/compliance';
import { eventually } from '../support/awake-phones.js';
import type { SeededTenant } from '../support/api-harness.js';
import { type RolloutHarness, startRollouts } from '../support/rollout-harness.js';
import {
  createEnrollment,
  createGroup,
  createPolicy,
  messagingBan,
  publishVersion,
} from '../support/officer-actions.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { SimulatedIphone, type SimulatedApp } from '../simulators/iphone-simulator.js';

const WHATSAPP = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.1.0' };
const OLVID = { identifier: 'io.olvid.messenger', name: 'Olvid', version: '3.2' };
const TIKTOK = { identifier: 'com.zhiliaoapp.musically', name: 'TikTok', version: '34.1.0' };

describe('compliance: simulated iPhones evaluated on every report, reported, exported and alerted', () => {
  let r: RolloutHarness;
  let dinum: SeededTenant;
  let receiver: WebhookReceiver;
  let secret: string;
  let webhookId: string;
  const phones: Record<'banned' | 'clean' | 'unsupervised', SimulatedIphone> = {} as never;

  const http = () => r.h.api.http();
  const as = (role: 'admin' | 'officer' | 'auditor') => r.as(dinum, role);
  const get = async (path: string) => (await http().get(path).set(as('auditor')).expect(200)).body;
  const statusOf = async (phone: SimulatedIphone) => {
    const devices = await get('/v1/compliance/devices?limit=1000');
    return devices.find((d: { udid: string }) => d.udid === phone.udid) as
      | { status: string; reasons: Array<Record<string, unknown>>; nonCompliantForSeconds: number | null }
      | undefined;
  };
  const until = (phone: SimulatedIphone, status: string) =>
    eventually(`${phone.deviceName} ${status}`, async () => {
      const device = await statusOf(phone);
      return device?.status === status ? device : undefined;
    });
  const enroll = async (supervised: boolean, apps: SimulatedApp[], deviceName: string) => {
    const { enrollUrl } = await createEnrollment(r.h.api, dinum, { group: 'cabinets', platform: 'ios' });
    const phone = new SimulatedIphone({ supervised, installedApps: apps, deviceName });
    await phone.enroll(enrollUrl);
    await phone.processCommands();
    r.phones.add(phone);
    return phone;
  };
  const events = (type: string, phone: SimulatedIphone) =>
    receiver.delivered().filter((w) => {
      const body = JSON.parse(w.body);
      return body.type === type && body.device.udid === phone.udid;
    });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    r = await startRollouts({ COMPLIANCE_SWEEP_SECONDS: '1', WEBHOOK_DISPATCH_SECONDS: '1' });
    dinum = await r.seed('dinum');
    await createGroup(r.h.api, dinum, 'cabinets', 'Cabinets');
    await createPolicy(r.h.api, dinum, messagingBan({ name: 'Messageries' }));
    await publishVersion(r.h.api, dinum, 'messageries');
    const created = await http()
      .post('/v1/webhooks')
      .set(as('admin'))
      .send({ url: receiver.url, description: 'SOC' })
      .expect(201);
    secret = created.body.secret;
    webhookId = created.body.id;
    phones.banned = await enroll(true, [WHATSAPP, OLVID], 'iPhone-banned');
    phones.clean = await enroll(true, [OLVID], 'iPhone-clean');
    phones.unsupervised = await enroll(false, [OLVID], 'iPhone-unsupervised');
  });
  afterAll(async () => {
    await r.close();
    await receiver.stop();
  });

  it('evaluates each phone from its own inventory at enrollment', async () => {
    const banned = await until(phones.banned, 'non_compliant');
    expect(banned.reasons).toEqual([
      {
        code: 'banned_app',
        app: WHATSAPP.identifier,
        name: 'WhatsApp',
        policy: 'messageries',
        version: 1,
      },
    ]);
    expect(banned.nonCompliantForSeconds).toBeGreaterThanOrEqual(0);
    await until(phones.clean, 'compliant');
    expect((await until(phones.unsupervised, 'unenforceable')).reasons).toEqual([{ code: 'unsupervised' }]);
  });

  it('counts statuses for the tenant, a group and a policy, and banned apps per app', async () => {
    const summary = await get('/v1/compliance/summary');
    expect(summary).toMatchObject({
      total: 3,
      counts: { compliant: 1, non_compliant: 1, unenforceable: 1, pending: 0, stale: 0, unknown: 0 },
    });
    expect(await get('/v1/compliance/summary?group=cabinets&policy=messageries')).toMatchObject({
      group: 'cabinets',
      policy: 'messageries',
      total: 3,
    });
    const missing = await http().get('/v1/compliance/summary?group=nope').set(as('auditor'));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'UNKNOWN_GROUP', message: 'group: unknown group "nope"' });
    const badStatus = await http().get('/v1/compliance/devices?status=fine').set(as('auditor'));
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.message).toMatch(/status/);
    expect(await get('/v1/compliance/apps')).toEqual([
      { app: 'whatsapp', name: 'WhatsApp', identifiers: [WHATSAPP.identifier], devices: 1, groups: 1 },
    ]);
    const nonCompliant = await get('/v1/compliance/devices?status=non_compliant');
    expect(nonCompliant.map((d: { udid: string }) => d.udid)).toEqual([phones.banned.udid]);
  });

  it('sends a signed device.non_compliant event to the webhook, logged as delivered', async () => {
    const [event] = await eventually('non-compliant event', async () => {
      const found = events('device.non_compliant', phones.banned);
      return found.length ? found : undefined;
    });
    expect(event.headers['rempart-event']).toBe('device.non_compliant');
    expect(
      verifyWebhook(
        secret,
        {
          timestamp: event.headers['rempart-timestamp'] as string,
          signature: event.headers['rempart-signature'] as string,
        },
        event.body,
      ),
    ).toBe(true);
    expect(JSON.parse(event.body)).toMatchObject({
      type: 'device.non_compliant',
      tenant: 'dinum',
      device: { udid: phones.banned.udid, deviceName: 'iPhone-banned', group: 'cabinets', platform: 'ios' },
      status: { to: 'non_compliant' },
      reasons: [{ code: 'banned_app', app: WHATSAPP.identifier }],
    });
    const log = (await http().get(`/v1/webhooks/${webhookId}/deliveries`).set(as('admin')).expect(200)).body;
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'device.non_compliant',
          state: 'delivered',
          attempts: 1,
          lastStatusCode: 204,
        }),
      ]),
    );
  });

  it('turns compliant again once WhatsApp is gone, emits device.compliant after a failed attempt, and keeps the history', async () => {
    receiver.answers.push(500);
    phones.banned.removeApp(WHATSAPP.identifier);
    await http()
      .post(`/v1/devices/${phones.banned.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'InstalledApplicationList' })
      .expect(201);
    await phones.banned.processCommands();
    expect((await until(phones.banned, 'compliant')).reasons).toEqual([]);
    const history = await get(`/v1/compliance/devices/${phones.banned.udid}/history`);
    expect(history.map((h: { from: string; to: string }) => [h.from, h.to])).toEqual([
      ['non_compliant', 'compliant'],
      ['unknown', 'non_compliant'],
      [null, 'unknown'],
    ]);
    await eventually(
      'device.compliant delivered after a retry',
      async () => events('device.compliant', phones.banned).length === 1,
      45_000,
    );
    expect(receiver.received.filter((w) => w.status === 500)).toHaveLength(1);
    const log = (await http().get(`/v1/webhooks/${webhookId}/deliveries`).set(as('admin')).expect(200)).body;
    expect(log.find((d: { event: string }) => d.event === 'device.compliant')).toMatchObject({
      state: 'delivered',
      attempts: 2,
      lastStatusCode: 204,
    });
  });

  it('never keeps a device compliant on a failed inventory', async () => {
    await http()
      .post(`/v1/devices/${phones.clean.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'InstalledApplicationList' })
      .expect(201);
    const command = await phones.clean.sendReport({ UDID: phones.clean.udid, Status: 'Idle' });
    expect(command).not.toBeNull();
    await phones.clean.sendReport({
      UDID: phones.clean.udid,
      CommandUUID: command!.CommandUUID,
      Status: 'Error',
      ErrorChain: [{ ErrorDomain: 'MCMDMErrorDomain', ErrorCode: 12021, USEnglishDescription: 'busy' }],
    });
    const failed = await until(phones.clean, 'unknown');
    expect(failed.reasons).toEqual([
      { code: 'inventory_failed', detail: expect.stringContaining('InstalledApplicationList') },
    ]);
    await http()
      .post(`/v1/devices/${phones.clean.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'InstalledApplicationList' })
      .expect(201);
    await phones.clean.processCommands();
    await until(phones.clean, 'compliant');
  });

  it('streams the CSV export: one row per device and reason, UTF-8, as an attachment', async () => {
    phones.unsupervised.installApp(TIKTOK);
    phones.unsupervised.installApp(WHATSAPP);
    await http()
      .post(`/v1/devices/${phones.unsupervised.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'InstalledApplicationList' })
      .expect(201);
    await phones.unsupervised.processCommands();
    await until(phones.unsupervised, 'non_compliant');
    const res = await http().get('/v1/compliance/export.csv').set(as('auditor')).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="compliance-dinum-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = parse(res.text, { columns: true, bom: true }) as Array<Record<string, string>>;
    const mine = rows.filter((row) => row.udid === phones.unsupervised.udid);
    // TikTok is not on the messaging list: one reason, WhatsApp.
    expect(mine).toEqual([
      expect.objectContaining({
        status: 'non_compliant',
        reason: 'banned_app',
        app: WHATSAPP.identifier,
        policy: 'messageries',
        supervised: 'false',
      }),
    ]);
    expect(rows.filter((row) => row.udid === phones.clean.udid)).toEqual([
      expect.objectContaining({ status: 'compliant', reason: '' }),
    ]);
    expect(rows).toHaveLength(3);
  });

  it('marks a silent phone stale, asks for its inventory with a push, and turns it back when it answers', async () => {
    await r.h.api.sql(`UPDATE devices SET last_seen_at = now() - interval '2 days' WHERE udid = $1`, [
      phones.clean.udid,
    ]);
    await r.h.api.sql(
      `UPDATE device_compliance SET apps_reported_at = now() - interval '2 days'
        WHERE device_id = (SELECT id FROM devices WHERE udid = $1)`,
      [phones.clean.udid],
    );
    await eventually('stale, then compliant again after the refresh', async () => {
      const history = await get(`/v1/compliance/devices/${phones.clean.udid}/history`);
      return history[0]?.from === 'stale' && history[0]?.to === 'compliant';
    });
    const refresh = await eventually('the refresh commands answered', async () => {
      const { rows } = await r.h.api.sql(
        `SELECT request_type, status FROM mdm_commands WHERE queued_by = 'system:compliance-refresh'
          AND device_id = (SELECT id FROM devices WHERE udid = $1) ORDER BY queued_at`,
        [phones.clean.udid],
      );
      return rows.length === 2 && rows.every((row) => row.status === 'acknowledged') ? rows : undefined;
    });
    expect(refresh.map((row) => row.request_type)).toEqual(['ProfileList', 'InstalledApplicationList']);
    expect(r.apns.pushesFor(phones.clean.pushToken.toString('hex')).length).toBeGreaterThan(0);
  });

  it('is pending while a new version is on its way to a phone that sleeps, and keeps a daily snapshot', async () => {
    r.phones.asleep.add(phones.clean);
    await http()
      .patch('/v1/policies/messageries')
      .set(as('officer'))
      .send({ blockLists: ['fr-gov-2023-messaging', 'fr-gov-2023-recreational'] })
      .expect(200);
    await http().post('/v1/policies/messageries/versions').set(as('officer')).expect(201);
    const pending = await until(phones.clean, 'pending');
    expect(pending.reasons).toEqual([{ code: 'rollout_in_flight', policy: 'messageries', version: 2 }]);
    // The unsupervised phone's TikTok is banned by version 2: a set-based re-evaluation found it.
    await eventually('TikTok counted', async () => {
      const apps = await get('/v1/compliance/apps');
      return apps.some((a: { app: string }) => a.app === 'tiktok');
    });
    const trend = await get('/v1/compliance/trend?days=7');
    expect(trend).toHaveLength(7);
    expect(trend[6].counts).toMatchObject({ compliant: expect.any(Number) });
    expect(trend[0].counts).toBeNull();
    const bad = await http().get('/v1/compliance/trend?days=0').set(as('auditor'));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/days/);
  });

  it('lets only admins manage webhooks, audits it, and refuses bad URLs', async () => {
    expect((await http().get('/v1/webhooks').set(as('officer'))).status).toBe(403);
    expect((await http().post('/v1/webhooks').set(as('admin')).send({ url: 'ftp://x' })).status).toBe(400);
    expect(
      (
        await http()
          .post('/v1/webhooks')
          .set(as('admin'))
          .send({ url: receiver.url, events: ['device.exploded'] })
      ).status,
    ).toBe(400);
    const list = (await http().get('/v1/webhooks').set(as('admin')).expect(200)).body;
    expect(list).toEqual([expect.objectContaining({ id: webhookId, url: receiver.url })]);
    expect(JSON.stringify(list)).not.toContain(secret);
    await http().delete(`/v1/webhooks/${webhookId}`).set(as('admin')).expect(200);
    expect((await http().get('/v1/webhooks').set(as('admin')).expect(200)).body).toEqual([]);
    const audit = (await http().get('/v1/audit-events?action=webhook.create').set(as('auditor')).expect(200))
      .body;
    expect(audit.items).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect((await http().delete(`/v1/webhooks/${webhookId}`).set(as('admin'))).status).toBe(404);
  });
});
