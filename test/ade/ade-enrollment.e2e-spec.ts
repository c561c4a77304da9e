import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, QueueEvents } from 'bullmq';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { AdeAccountsService, AdeSyncService } from '#libs/apple-server';
import { QueueName } from '#libs/jobs';
import { buildServerTokenP7m } from '../fakes/ade-token.js';
import { selfSignedDeviceIdentity, TestAppleDeviceCa } from '../fakes/apple-device-ca.js';
import { FakeAde } from '../fakes/fake-ade.js';
import { runWithConcurrency } from '../simulators/fleet.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';
import type { SeededTenant } from '../support/api-harness.js';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { makePushCertificate } from '../support/push-certificate.js';

const WHATSAPP = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.1.0' };
const OLVID = { identifier: 'io.olvid.messenger', name: 'Olvid', version: '3.2' };
const DAY_MS = 24 * 60 * 60 * 1000;

describe('Apple Automated Device Enrollment: ABM token, sync, assignment, Setup Assistant', () => {
  let h: MdmHarness;
  let worker: INestApplicationContext;
  let events: QueueEvents;
  let queue: Queue;
  let fake: FakeAde;
  let deviceCa: TestAppleDeviceCa;
  let caDir: string;
  let dinum: SeededTenant;
  let armees: SeededTenant;
  const as = (tenant: SeededTenant, role: 'admin' | 'officer' | 'auditor') => ({
    Authorization: `Bearer ${tenant.tokens[role]}`,
  });

  /** POST /v1/apple/ade/sync and wait for the worker to finish it; returns the job's report. */
  async function syncNow(tenant: SeededTenant) {
    const res = await h.api.http().post('/v1/apple/ade/sync').set(as(tenant, 'officer'));
    expect(res.status).toBe(202);
    const job = await queue.getJob(res.body.jobId);
    return (await job!.waitUntilFinished(events, 60_000)) as Record<string, unknown>;
  }

  async function ade(tenant: SeededTenant) {
    const res = await h.api.http().get('/v1/apple/ade').set(as(tenant, 'auditor'));
    expect(res.status).toBe(200);
    return res.body;
  }

  async function abmDevices(tenant: SeededTenant, query = '') {
    const res = await h.api.http().get(`/v1/apple/ade/devices?limit=1000${query}`).set(as(tenant, 'auditor'));
    expect(res.status).toBe(200);
    return res.body.devices as Array<{
      serialNumber: string;
      group: string | null;
      assignment: { status: string; lastResult: string | null; nextAttemptAt: string | null };
      enrolledUdid: string | null;
    }>;
  }

  async function uploadToken(tenant: SeededTenant, token: string) {
    return h.api
      .http()
      .put('/v1/apple/ade/token')
      .set(as(tenant, 'admin'))
      .set('Content-Type', 'application/pkcs7-mime')
      .send(token);
  }

  beforeAll(async () => {
    // Sessions expire after a few calls and rotate now and then, as Apple's may.
    fake = new FakeAde({ sessionMaxRequests: 40, rotateSessionEvery: 7 });
    await fake.start();
    deviceCa = new TestAppleDeviceCa();
    caDir = mkdtempSync(path.join(tmpdir(), 'rempart-device-ca-'));
    writeFileSync(path.join(caDir, 'device-ca.pem'), deviceCa.certificatePem);
    h = await startApiAndMdm({
      APPLE_ADE_URL: fake.url,
      APPLE_DEVICE_CA_FILE: path.join(caDir, 'device-ca.pem'),
    });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(h.api.config), {
      logger: false,
    });
    await worker.init();
    const connection = { url: h.api.config.REDIS_URL };
    events = new QueueEvents(QueueName.AppleAde, { connection, prefix: h.api.config.QUEUE_PREFIX });
    queue = new Queue(QueueName.AppleAde, { connection, prefix: h.api.config.QUEUE_PREFIX });
    await events.waitUntilReady();

    dinum = await h.api.seedTenant('dinum');
    armees = await h.api.seedTenant('armees');
    for (const tenant of [dinum, armees]) {
      const push = makePushCertificate();
      await h.api
        .http()
        .put('/v1/apple/push-certificate')
        .set(as(tenant, 'admin'))
        .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem })
        .expect(200);
      await h.api
        .http()
        .post('/v1/groups')
        .set(as(tenant, 'officer'))
        .send({ slug: 'agents', name: 'Agents' })
        .expect(201);
    }
    await h.api
      .http()
      .post('/v1/groups')
      .set(as(dinum, 'officer'))
      .send({ slug: 'cabinet', name: 'Cabinet' })
      .expect(201);
    await h.api
      .http()
      .post('/v1/policies')
      .set(as(dinum, 'officer'))
      .send({
        slug: 'messageries',
        name: 'Messageries',
        groups: ['agents', 'cabinet'],
        blockLists: ['fr-gov-2023-messaging'],
        allowLists: ['fr-gov-2023-messaging-approved'],
      })
      .expect(201);
    await h.api.http().post('/v1/policies/messageries/versions').set(as(dinum, 'officer')).expect(201);
  }, 120_000);

  afterAll(async () => {
    await events?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await worker?.close();
    await h?.close();
    await fake?.stop();
    rmSync(caDir, { recursive: true, force: true });
  });

  it('gives the ABM administrator a certificate, takes the downloaded token and shows the account', async () => {
    const first = await h.api.http().get('/v1/apple/ade/certificate').set(as(dinum, 'admin'));
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/application\/x-pem-file/);
    expect(first.text).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const again = await h.api.http().get('/v1/apple/ade/certificate').set(as(dinum, 'admin'));
    expect(again.text).toBe(first.text);
    expect((await ade(dinum)).state).toBe('awaiting_token');

    const uploaded = await uploadToken(dinum, buildServerTokenP7m(first.text, fake.credentials));
    expect(uploaded.status).toBe(200);
    const view = await ade(dinum);
    expect(view).toMatchObject({
      state: 'active',
      message: null,
      account: {
        organisation: fake.account.org_name,
        serverName: fake.account.server_name,
        adminId: fake.account.admin_id,
      },
      token: { warning: null },
    });
    expect(view.token.expiresInDays).toBeGreaterThan(360);
    const audit = await h.api.http().get('/v1/audit-events?limit=20').set(as(dinum, 'auditor'));
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['ade.certificate.create', 'ade.token.upload']),
    );
    // A page of ABM devices is bounded like every paged list.
    const tooMany = await h.api.http().get('/v1/apple/ade/devices?limit=5000').set(as(dinum, 'auditor'));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ field: 'limit', message: expect.any(String) }]);
  });

  it('refuses a token for another key, a damaged one and an expired one with what to do, storing nothing', async () => {
    const certificate = (await h.api.http().get('/v1/apple/ade/certificate').set(as(dinum, 'admin'))).text;
    const otherTenantCertificate = (
      await h.api.http().get('/v1/apple/ade/certificate').set(as(armees, 'admin'))
    ).text;
    const before = await ade(dinum);
    const cases: Array<[string, string, number, RegExp]> = [
      [
        buildServerTokenP7m(otherTenantCertificate, fake.credentials),
        'TOKEN_WRONG_KEY',
        400,
        /upload the certificate from GET \/v1\/apple\/ade\/certificate/,
      ],
      [
        'Content-Type: application/pkcs7-mime\r\n\r\nnot base64 at all!',
        'TOKEN_NOT_SMIME',
        400,
        /\.p7m file downloaded from ABM/,
      ],
      [
        buildServerTokenP7m(certificate, fake.credentials).replace(
          /\r\n\r\n[A-Za-z0-9+/]{40}/,
          '\r\n\r\nAAAA',
        ),
        'TOKEN_CORRUPT',
        400,
        /download it again/,
      ],
      [
        buildServerTokenP7m(certificate, fake.credentials, { expiry: new Date(Date.now() - DAY_MS) }),
        'TOKEN_EXPIRED',
        400,
        /download a new one/,
      ],
      [
        buildServerTokenP7m(certificate, fake.credentials, { json: '{"consumer_key": "CK_x"}' }),
        'TOKEN_CONTENT_INVALID',
        400,
        /download a new token/,
      ],
    ];
    for (const [token, code, status, message] of cases) {
      const res = await uploadToken(dinum, token);
      expect({ code: res.body.code, status: res.status }).toEqual({ code, status });
      expect(res.body.message).toMatch(message);
    }
    const refusedByApple = await uploadToken(
      dinum,
      buildServerTokenP7m(certificate, { ...fake.credentials, accessSecret: 'AS_revoked' }),
    );
    expect(refusedByApple.status).toBe(422);
    expect(refusedByApple.body.code).toBe('ADE_TOKEN_REJECTED');
    expect(await ade(dinum)).toEqual(before);
    const audit = await h.api
      .http()
      .get('/v1/audit-events?action=ade.token.refused&limit=50')
      .set(as(dinum, 'auditor'));
    expect(audit.body.items).toHaveLength(cases.length + 1);
    // The marker-less variant of Apple's documentation decrypts too.
    expect(
      (await uploadToken(dinum, buildServerTokenP7m(certificate, fake.credentials, { markers: false })))
        .status,
    ).toBe(200);
  });

  it('syncs 50 phones from ABM, assigns them the supervised profile, and they enroll through Setup Assistant banned before DeviceConfigured', async () => {
    // Let the syncs the token uploads queued finish first: this one must see the 50 new phones.
    await syncNow(dinum);
    const serials = fake.addDevices(50, (i) => ({
      description: i < 5 ? 'IPHONE 15 CABINET' : 'IPHONE 15 AGENTS',
    }));
    const settings = await h.api
      .http()
      .patch('/v1/apple/ade')
      .set(as(dinum, 'officer'))
      .send({
        defaultGroup: 'agents',
        rules: [{ group: 'cabinet', descriptionContains: 'cabinet' }],
        skipSetupItems: ['AppleID', 'Siri', 'Payment'],
      });
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({
      defaultGroup: 'agents',
      skipSetupItems: ['AppleID', 'Payment', 'Siri'],
    });

    const report = await syncNow(dinum);
    expect(report).toMatchObject({ devices: 50, assignment: { assigned: 50, failed: 0 } });
    const listed = await abmDevices(dinum);
    expect(listed).toHaveLength(50);
    expect(listed.every((d) => d.assignment.status === 'assigned')).toBe(true);
    expect(listed.filter((d) => d.group === 'cabinet')).toHaveLength(5);
    expect(
      fake
        .requestsTo('/profile/devices')
        .every((r) => (JSON.parse(r.body).devices as string[]).length <= 1000),
    ).toBe(true);

    const profile = fake.profileFor(serials[0])!;
    expect(profile).toMatchObject({
      is_supervised: true,
      is_mandatory: true,
      is_mdm_removable: false,
      await_device_configured: true,
      skip_setup_items: ['AppleID', 'Payment', 'Siri'],
    });
    expect(profile.url).toMatch(new RegExp(`^${h.mdmUrl}/mdm/ade/[A-Za-z0-9_-]{40,}$`));

    const phones = serials.map(
      (serialNumber) =>
        new SimulatedIphone({ serialNumber, supervised: false, installedApps: [WHATSAPP, OLVID] }),
    );
    await runWithConcurrency(phones, 8, async (phone, i) => {
      await phone.runSetupAssistant({
        adeProfile: fake.profileFor(phone.serialNumber) as { url: string; await_device_configured: boolean },
        deviceIdentity: deviceCa.issueDevice(phone.udid, i % 2 ? 'sha1' : 'sha256'),
        mode: i % 3 === 0 ? 'get' : 'post',
        digest: i % 2 ? 'sha1' : 'sha256',
      });
      expect(phone.awaitingConfiguration).toBe(true);
      const done = await phone.processCommands();
      const order = done.map((c) => c.requestType);
      expect(order.indexOf('InstallProfile')).toBeLessThan(order.indexOf('DeviceConfigured'));
      expect(done.every((c) => c.status === 'Acknowledged')).toBe(true);
    });
    for (const phone of phones) {
      expect(phone.awaitingConfiguration).toBe(false);
      expect(phone.restrictionsWhenReleased).toMatchObject({
        enforced: true,
        blockedAppBundleIDs: expect.arrayContaining([WHATSAPP.identifier]),
      });
      expect(phone.canLaunch(WHATSAPP.identifier)).toBe(false);
      expect(phone.canLaunch(OLVID.identifier)).toBe(true);
    }
    const device = await h.api.http().get(`/v1/devices/${phones[0].udid}`).set(as(dinum, 'auditor'));
    expect(device.body).toMatchObject({ status: 'enrolled', isSupervised: true, serialNumber: serials[0] });
    const supervised = await h.api
      .http()
      .get('/v1/devices?platform=ios&status=enrolled&limit=1000')
      .set(as(dinum, 'auditor'));
    expect(supervised.body.filter((d: { isSupervised: boolean }) => d.isSupervised)).toHaveLength(50);
    const cabinet = await h.api.http().get('/v1/devices?group=cabinet&limit=1000').set(as(dinum, 'auditor'));
    expect(cabinet.body).toHaveLength(5);
    expect((await abmDevices(dinum)).every((d) => d.enrolledUdid !== null)).toBe(true);
    // ADE's own enrollment is not an officer's invitation: not listed, cannot be revoked.
    const invitations = await h.api.http().get('/v1/enrollments').set(as(dinum, 'auditor'));
    expect(invitations.body).toEqual([]);
    const adeEnrollmentId = (
      await h.api.sql('SELECT enrollment_id FROM ade_accounts WHERE tenant_id = $1', [dinum.id])
    ).rows[0].enrollment_id;
    await h.api.http().delete(`/v1/enrollments/${adeEnrollmentId}`).set(as(dinum, 'officer')).expect(404);
  }, 180_000);

  it('refuses a MachineInfo with a bad signature, an unknown serial and another tenant’s ADE URL, with a 4xx that says why', async () => {
    const [known] = fake.addDevices(1);
    await syncNow(dinum);
    const accounts = h.api.app.get(AdeAccountsService);
    const dinumUrl = accounts.enrollUrl((await accounts.find(dinum.id))!);
    expect(fake.profileFor(known)!.url).toBe(dinumUrl);

    const impostor = new SimulatedIphone({ serialNumber: known, supervised: false, installedApps: [] });
    const selfSigned = await fetch(dinumUrl, {
      method: 'POST',
      body: impostor.machineInfo(selfSignedDeviceIdentity(impostor.udid)),
    });
    expect(selfSigned.status).toBe(403);
    expect(await selfSigned.json()).toMatchObject({ code: 'MACHINE_INFO_UNTRUSTED' });

    const genuine = impostor.machineInfo(deviceCa.issueDevice(impostor.udid));
    const tampered = Buffer.from(genuine);
    tampered[tampered.indexOf(Buffer.from(known))] ^= 1;
    const altered = await fetch(dinumUrl, { method: 'POST', body: tampered });
    expect(altered.status).toBe(400);
    expect(await altered.json()).toMatchObject({ code: 'MACHINE_INFO_BAD_SIGNATURE' });

    const stranger = new SimulatedIphone({
      serialNumber: 'NOTINABM0001',
      supervised: false,
      installedApps: [],
    });
    const unknown = await fetch(dinumUrl, {
      method: 'POST',
      body: stranger.machineInfo(deviceCa.issueDevice(stranger.udid)),
    });
    expect(unknown.status).toBe(403);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/assign it there, then sync/);

    const armeesUrl = accounts.enrollUrl((await accounts.find(armees.id))!);
    const replayed = await fetch(armeesUrl, { method: 'POST', body: genuine });
    expect(replayed.status).toBe(403);
    expect(await replayed.json()).toMatchObject({ code: 'ADE_SERIAL_UNKNOWN' });

    const noToken = await fetch(`${h.mdmUrl}/mdm/ade/not-a-token`, { method: 'POST', body: genuine });
    expect(noToken.status).toBe(404);
    const noHeader = await fetch(dinumUrl);
    expect(noHeader.status).toBe(400);
    // Nothing was enrolled by any of them.
    expect((await abmDevices(dinum)).find((d) => d.serialNumber === known)!.enrolledUdid).toBeNull();
  });

  it('survives Apple’s failure switches: terms not signed, revoked token, 429/500, expired and echoed cursors, throttled and failed serials', async () => {
    fake.termsNotSigned = true;
    expect(await syncNow(dinum)).toMatchObject({ error: { kind: 'terms_not_signed' } });
    expect(await ade(dinum)).toMatchObject({
      state: 'terms_not_signed',
      message: expect.stringMatching(/accept the new terms/),
    });
    fake.termsNotSigned = false;
    await syncNow(dinum);
    expect(await ade(dinum)).toMatchObject({ state: 'active', message: null, lastSyncError: null });

    fake.rateLimitNext = 1;
    fake.serverErrorNext = 1;
    const [throttled, failing] = fake.addDevices(2);
    fake.throttleSerials.add(throttled);
    fake.failSerials.add(failing);
    expect(await syncNow(dinum)).toMatchObject({ assignment: { throttled: 1, failed: 1 } });
    const rows = await abmDevices(dinum);
    const throttledRow = rows.find((d) => d.serialNumber === throttled)!;
    expect(throttledRow.assignment).toMatchObject({ status: 'throttled', lastResult: 'THROTTLED' });
    expect(new Date(throttledRow.assignment.nextAttemptAt!).getTime()).toBeGreaterThan(
      Date.now() + 50 * 60 * 1000,
    );
    expect(rows.find((d) => d.serialNumber === failing)!.assignment).toMatchObject({
      status: 'failed',
      lastResult: 'FAILED',
    });

    fake.advanceClock(8 * DAY_MS);
    const fullFetchesBefore = fake.requestsTo('/server/devices').length;
    expect(await syncNow(dinum)).toMatchObject({ fullFetch: true });
    expect(fake.requestsTo('/server/devices').length).toBeGreaterThan(fullFetchesBefore);
    expect(fake.requestsTo('/server/devices').at(-2)!.body).not.toMatch(/cursor/);

    fake.echoSyncCursor = true;
    const syncCallsBefore = fake.requestsTo('/devices/sync').length;
    expect(await syncNow(dinum)).toMatchObject({ cursorEchoed: true });
    expect(fake.requestsTo('/devices/sync').length).toBe(syncCallsBefore + 1);
    fake.echoSyncCursor = false;

    // A sync that dies after two pages keeps them and resumes after them (cursor committed with each page).
    const late = fake.addDevices(35);
    fake.pageFailure = { after: 2, status: 400, code: 'MALFORMED_REQUEST_BODY' };
    const sync = worker.get(AdeSyncService);
    const interrupted = await sync.sync(dinum.id, { pageSize: 10 });
    expect(interrupted).toMatchObject({ pages: 2, error: { kind: 'bad_request' } });
    const [{ cursor: committed }] = (
      await h.api.sql('SELECT cursor FROM ade_accounts WHERE tenant_id = $1', [dinum.id])
    ).rows;
    fake.pageFailure = undefined;
    const resumedFrom = fake.requestsTo('/devices/sync').length;
    expect((await sync.sync(dinum.id, { pageSize: 10 })).error).toBeUndefined();
    expect(JSON.parse(fake.requestsTo('/devices/sync')[resumedFrom].body)).toMatchObject({
      cursor: committed,
    });
    const stored = new Set((await abmDevices(dinum)).map((d) => d.serialNumber));
    expect(late.every((serial) => stored.has(serial))).toBe(true);

    fake.tokenRejected = true;
    expect(await syncNow(dinum)).toMatchObject({ error: { kind: 'token_rejected' } });
    expect(await ade(dinum)).toMatchObject({
      state: 'token_rejected',
      message: expect.stringMatching(/download a new token/),
    });
    fake.tokenRejected = false;
  }, 120_000);
});
