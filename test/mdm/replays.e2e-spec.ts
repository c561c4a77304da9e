import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createMdmApp } from '../../apps/mdm/src/mdm-app.js';
import { encodePlist } from '#libs/apple';
import { type AppConfig, TrustedProxies } from '#libs/config';
import { createLogger } from '#libs/platform';
import {
  type AppleTenant,
  downloadProfile,
  phoneWithIdentity,
  prepareAppleTenant,
  scepIdentityFrom,
} from '../support/apple-tenant.js';
import { freePort, type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { buildSignedData } from '../simulators/cms.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

/*
 * Issue 7, item 5: a signed request is accepted once, across mdm processes; Authenticate needs a
 * signing time; a proxy's client-certificate header is taken only from MDM_TRUSTED_PROXIES.
 */
describe('replays and the client-certificate header', () => {
  let h: MdmHarness;
  let apple: AppleTenant;
  let phone: SimulatedIphone;
  const extraApps: INestApplication[] = [];

  /** Another mdm process on the same database and Redis, with its own configuration. */
  async function anotherMdm(config: AppConfig): Promise<string> {
    const app = await createMdmApp(config, createLogger('mdm', 'silent'));
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    extraApps.push(app);
    return `http://127.0.0.1:${port}`;
  }

  const put = (url: string, body: Buffer, headers: Record<string, string>) =>
    fetch(url, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'application/x-apple-aspen-mdm', ...headers },
    });

  beforeAll(async () => {
    h = await startApiAndMdm();
    apple = await prepareAppleTenant(h, 'dinum');
    phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll((await apple.enrollment()).enrollUrl);
    await phone.processCommands();
  });
  afterAll(async () => {
    for (const app of extraApps) await app.close();
    await h.close();
  });

  it('accepts a signed report once and refuses the same signed request again (400), on any mdm process', async () => {
    const body = encodePlist({ UDID: phone.udid, Status: 'Idle' });
    const signature = { 'Mdm-Signature': phone.sign(body) };
    const serverPath = `/mdm/${apple.tenant.id}/server`;
    expect((await put(`${h.mdmUrl}${serverPath}`, body, signature)).status).toBe(200);
    const replayed = await put(`${h.mdmUrl}${serverPath}`, body, signature);
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ code: 'REPLAYED' });
    expect(h.mdmLogs.some((l) => l.code === 'REPLAYED' && l.level === 40)).toBe(true);

    const second = await anotherMdm(h.api.config);
    const fresh = encodePlist({ UDID: phone.udid, Status: 'Idle', Sequence: 2 });
    const freshSignature = { 'Mdm-Signature': phone.sign(fresh) };
    expect((await put(`${h.mdmUrl}${serverPath}`, fresh, freshSignature)).status).toBe(200);
    expect((await put(`${second}${serverPath}`, fresh, freshSignature)).status).toBe(400);
    // The phone itself keeps working: each of its requests is signed anew.
    expect(await phone.sendReport({ Status: 'Idle' })).toBeNull();
    expect(await phone.sendReport({ Status: 'Idle' })).toBeNull();
  });

  it('refuses an Authenticate whose signature carries no signing time, and stores nothing', async () => {
    const identity = await scepIdentityFrom(await downloadProfile((await apple.enrollment()).enrollUrl));
    const newcomer = phoneWithIdentity(h, apple, identity);
    const body = encodePlist(newcomer.checkInMessage('Authenticate'));
    const undated = buildSignedData({
      content: body,
      certificateDer: new X509Certificate(identity.certificatePem).raw,
      privateKey: createPrivateKey(identity.privateKeyPem),
      detached: true,
    }).toString('base64');
    const res = await put(newcomer.enrollment!.checkInUrl, body, { 'Mdm-Signature': undated });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'SIGNING_TIME_REQUIRED' });
    expect((await h.api.sql('SELECT 1 FROM devices WHERE udid = $1', [newcomer.udid])).rowCount).toBe(0);
    // Signed as a phone signs (with a signing time), the same Authenticate goes through.
    expect((await newcomer.checkIn('Authenticate')).status).toBe(200);
  });

  describe('MDM_CLIENT_CERT_HEADER', () => {
    const headerMode = (trusted: string): AppConfig => ({
      ...h.api.config,
      MDM_CLIENT_CERT_HEADER: 'X-Client-Cert',
      MDM_TRUSTED_PROXIES: trusted,
      trustedProxies: TrustedProxies.parse(trusted),
    });
    const withClientCertificate = () => ({
      'X-Client-Cert': encodeURIComponent(phone.enrollment!.identity.certificatePem),
    });

    it('refuses the header from an address not in MDM_TRUSTED_PROXIES (400), even with a good certificate', async () => {
      const mdm = await anotherMdm(headerMode('192.0.2.10, 10.0.0.0/8'));
      const body = encodePlist({ UDID: phone.udid, Status: 'Idle' });
      const res = await put(`${mdm}/mdm/${apple.tenant.id}/server`, body, withClientCertificate());
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'CLIENT_CERT_HEADER_NOT_FROM_PROXY' });
      // A signed request with a forged header is refused too: the header is never taken from a stranger.
      const signed = { ...withClientCertificate(), 'Mdm-Signature': phone.sign(body) };
      expect((await put(`${mdm}/mdm/${apple.tenant.id}/server`, body, signed)).status).toBe(400);
    });

    it('takes the header from a trusted proxy', async () => {
      const mdm = await anotherMdm(headerMode('127.0.0.1'));
      const body = encodePlist({ UDID: phone.udid, Status: 'Idle' });
      const res = await put(`${mdm}/mdm/${apple.tenant.id}/server`, body, withClientCertificate());
      expect(res.status).toBe(200);
    });
  });
});
