import { randomBytes } from 'node:crypto';
import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { makeClientCertificate, makePushCertificate } from '../support/push-certificate.js';
import { rawApnsPush } from '../../bench/support/raw-apns-pusher.js';
import { FakeApns, type AcceptedPush } from './fake-apns.js';

/*
 * The fake checked with bare http2 requests, so that it answers as Apple does whatever client sends
 * them (the ApnsClient's own tests are in libs/apple/src/apns).
 */

const UID = '0.9.2342.19200300.100.1.1';
const token = (): string => randomBytes(32).toString('hex');

interface Answer {
  status: number;
  body: string;
  apnsId?: string;
}

function send(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let apnsId: string | undefined;
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      status = Number(h[':status']);
      apnsId = typeof h['apns-id'] === 'string' ? h['apns-id'] : undefined;
    });
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('error', reject);
    stream.on('close', () => resolve({ status, body: text, apnsId }));
    stream.end(body);
  });
}

describe('FakeApns', () => {
  const push = makePushCertificate();
  let fake: FakeApns;
  const sessions: ClientHttp2Session[] = [];
  const connect = (
    credentials: { certificatePem?: string; privateKeyPem?: string } = push,
  ): ClientHttp2Session => {
    const session = http2.connect(fake.url, {
      ca: fake.caPem,
      ...(credentials.certificatePem === undefined
        ? {}
        : { cert: credentials.certificatePem, key: credentials.privateKeyPem }),
    });
    session.on('error', () => {});
    sessions.push(session);
    return session;
  };
  const mdm = (deviceToken = token(), extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders => ({
    ':method': 'POST',
    ':path': `/3/device/${deviceToken}`,
    'apns-push-type': 'mdm',
    'apns-topic': push.topic,
    ...extra,
  });
  const magic = JSON.stringify({ mdm: 'PUSH-MAGIC' });

  beforeAll(async () => {
    fake = await FakeApns.start();
  });
  afterEach(() => {
    for (const session of sessions.splice(0)) session.destroy();
    fake.clearFaults();
    fake.clearRecords();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('accepts an MDM push, records it and tells its listeners', async () => {
    const heard: AcceptedPush[] = [];
    const unsubscribe = fake.onPush((p) => heard.push(p));
    const deviceToken = token();
    const answer = await send(connect(), mdm(deviceToken.toUpperCase()), magic);
    unsubscribe();
    expect(answer).toEqual({ status: 200, body: '', apnsId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(heard).toEqual([
      { token: deviceToken, topic: push.topic, pushMagic: 'PUSH-MAGIC', at: expect.any(Number) },
    ]);
    expect(fake.pushesFor(deviceToken)).toHaveLength(1);
    expect(fake.stats()).toMatchObject({ tlsSessions: 1, requests: 1, accepted: 1, byStatus: { 200: 1 } });
  });

  it('takes the topic from the certificate when apns-topic is absent, as Apple does for single-topic certificates', async () => {
    const headers = mdm();
    delete headers['apns-topic'];
    expect((await send(connect(), headers, magic)).status).toBe(200);
    expect(fake.pushes()[0]?.topic).toBe(push.topic);
  });

  it.each<[string, OutgoingHttpHeaders, string | undefined, number, string]>([
    ['a GET', { ':method': 'GET' }, undefined, 405, 'MethodNotAllowed'],
    ['another path', { ':path': '/3/devices/abcd' }, magic, 404, 'BadPath'],
    ['no token', { ':path': '/3/device/' }, magic, 400, 'MissingDeviceToken'],
    ['a token that is not hex', { ':path': '/3/device/not-a-token' }, magic, 400, 'BadDeviceToken'],
    ['an odd-length token', { ':path': `/3/device/${'a'.repeat(63)}` }, magic, 400, 'BadDeviceToken'],
    ['no apns-push-type', { 'apns-push-type': undefined }, magic, 400, 'InvalidPushType'],
    ['apns-push-type alert', { 'apns-push-type': 'alert' }, magic, 400, 'InvalidPushType'],
    ['another topic', { 'apns-topic': 'com.apple.mgmt.External.other' }, magic, 400, 'TopicDisallowed'],
    ['a bad expiration', { 'apns-expiration': 'tomorrow' }, magic, 400, 'BadExpirationDate'],
    ['a bad priority', { 'apns-priority': '7' }, magic, 400, 'BadPriority'],
    ['a long collapse id', { 'apns-collapse-id': 'x'.repeat(65) }, magic, 400, 'BadCollapseId'],
    ['an empty body', {}, undefined, 400, 'PayloadEmpty'],
    ['a body without mdm', {}, JSON.stringify({ aps: {} }), 400, 'PayloadEmpty'],
    ['an alert next to mdm', {}, JSON.stringify({ mdm: 'M', aps: { alert: 'hi' } }), 400, 'BadPayload'],
    ['a body that is not JSON', {}, '{mdm:', 400, 'BadPayload'],
    ['a body over 4 KB', {}, JSON.stringify({ mdm: 'x'.repeat(5000) }), 413, 'PayloadTooLarge'],
  ])('refuses %s with %i %s', async (_what, extra, body, status, reason) => {
    const headers = mdm(token(), extra);
    for (const [name, value] of Object.entries(headers)) if (value === undefined) delete headers[name];
    const answer = await send(connect(), headers, body);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toEqual({ reason });
    expect(fake.stats().accepted).toBe(0);
  });

  it('refuses a connection without a client certificate (MissingProviderToken)', async () => {
    const answer = await send(connect({}), mdm(), magic);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([403, { reason: 'MissingProviderToken' }]);
  });

  it('refuses a certificate that is not an MDM push certificate, or is expired (BadCertificate)', async () => {
    const appCertificate = await makeClientCertificate({ subject: [{ shortName: 'CN', value: 'an app' }] });
    const expired = await makeClientCertificate({
      subject: [{ type: UID, value: push.topic }],
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    for (const credentials of [appCertificate, expired]) {
      const answer = await send(connect(credentials), mdm(), magic);
      expect([answer.status, JSON.parse(answer.body)]).toEqual([403, { reason: 'BadCertificate' }]);
    }
  });

  it('injects a status for one token a number of times, and for every push until cleared', async () => {
    const session = connect();
    const gone = token();
    fake.inject({ status: 410 }, { token: gone, times: 2 });
    const first = await send(session, mdm(gone), magic);
    expect(first.status).toBe(410);
    expect(JSON.parse(first.body)).toEqual({ reason: 'Unregistered', timestamp: expect.any(Number) });
    expect((await send(session, mdm(gone), magic)).status).toBe(410);
    expect((await send(session, mdm(gone), magic)).status).toBe(200);

    fake.inject({ status: 503, reason: 'ServiceUnavailable' });
    for (let i = 0; i < 3; i++) expect((await send(session, mdm(), magic)).status).toBe(503);
    fake.clearFaults();
    expect((await send(session, mdm(), magic)).status).toBe(200);
    expect(fake.stats().byStatus).toEqual({ 200: 2, 410: 2, 503: 3 });
  });

  it('resets the connection on demand', async () => {
    fake.inject({ reset: true }, { times: 1 });
    const session = connect();
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const answer = await send(session, mdm(), magic).catch(() => ({ status: 0 }));
    expect(answer.status).toBe(0);
    await closed;
  });

  it('sends GOAWAY with Shutdown on demand and refuses the push it came with', async () => {
    fake.inject({ goaway: true }, { times: 1 });
    const session = connect();
    const goaway = new Promise<string>((resolve) =>
      session.once('goaway', (_code, _last, data: Buffer) => resolve(data.toString())),
    );
    const answer = await send(session, mdm(), magic).catch(() => ({ status: 0 }));
    expect(answer.status).toBe(0);
    expect(JSON.parse(await goaway)).toEqual({ reason: 'Shutdown' });
  });

  it('holds a push unanswered on demand, until the client gives up', async () => {
    fake.inject({ hang: true }, { times: 1 });
    const session = connect();
    const stream = session.request(mdm());
    stream.end(magic);
    let answered = false;
    stream.on('response', () => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    expect(fake.stats().requests).toBe(0);
    stream.close();
  });

  it('keeps counting past the record limit without keeping every push', async () => {
    const small = await FakeApns.start({ recordLimit: 5 });
    try {
      const result = await rawApnsPush({
        url: small.url,
        ca: small.caPem,
        ...push,
        pushes: 2000,
        concurrency: 200,
      });
      expect(result.accepted).toBe(2000);
      expect(small.stats()).toMatchObject({ accepted: 2000, tlsSessions: 1 });
      expect(small.pushes()).toHaveLength(5);
    } finally {
      await small.stop();
    }
  });

  it('survives a listener that throws', async () => {
    const unsubscribe = fake.onPush(() => {
      throw new Error('a broken phone');
    });
    expect((await send(connect(), mdm(), magic)).status).toBe(200);
    unsubscribe();
    expect(fake.stats().listenerErrors).toBe(1);
  });
});
