import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CmsSigner,
  compileRestrictionsProfile,
  decodePlistDict,
  encodePlist,
  generateTenantSigningIdentity,
  type PlistDict,
} from '#libs/apple';
import type { BanSpec } from '#libs/ban-spec';
import { parseSignedData, verifySignedData } from './cms.js';
import { createFleet, isSupervisedAt, runWithConcurrency } from './fleet.js';
import { SimulatedIphone, type SimulatedEnrollment } from './iphone-simulator.js';
import { scepEnroll, ScepError, type ScepIdentity } from './scep-client.js';
import {
  startRecordingServer,
  startScepServer,
  type RecordedRequest,
  type RecordingServer,
  type ScepServerHandle,
} from './test-servers.js';

/*
 * The simulated iPhone against real protocol peers, offline: Debian's scepserver for SCEP, OpenSSL
 * for signature checks, and tiny scripted HTTP servers standing in for an MDM server.
 */

const CHALLENGE = 'rempart-challenge-0001';
const TOPIC = 'com.apple.mgmt.External.2b7c6a0e-rempart-test';
const TIKTOK = 'com.zhiliaoapp.musically';
const SIGNAL = 'org.whispersystems.signal';
const APPS = [
  { identifier: TIKTOK, name: 'TikTok', version: '34.1.0' },
  { identifier: SIGNAL, name: 'Signal', version: '7.10' },
];

let scep: ScepServerHandle;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'rempart-iphone-sim-'));
  scep = await startScepServer({ challenge: CHALLENGE });
});

afterAll(async () => {
  await scep?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** scepserver refuses a second certificate for a DN it already issued: every enrollment gets its own CN. */
function uniqueCn(prefix = 'sim'): string {
  return `${prefix}-${randomUUID()}`;
}

function file(name: string, content: string | Buffer): string {
  const target = path.join(workDir, `${randomUUID()}-${name}`);
  writeFileSync(target, content);
  return target;
}

function opensslVerifyCertificate(certificatePem: string, caPemPath: string): string {
  return execFileSync('openssl', ['verify', '-CAfile', caPemPath, file('cert.pem', certificatePem)], {
    stdio: 'pipe',
  }).toString();
}

/** `openssl cms -verify -binary -inform DER -content body -CAfile ca.pem -purpose any` on an Mdm-Signature. */
function opensslVerifyMdmSignature(body: Buffer, signatureBase64: string, caPem: string): void {
  execFileSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      file('signature.der', Buffer.from(signatureBase64, 'base64')),
      '-content',
      file('body.plist', body),
      '-CAfile',
      file('ca.pem', caPem),
      '-purpose',
      'any',
      '-out',
      path.join(workDir, `${randomUUID()}.out`),
    ],
    { stdio: 'pipe' },
  );
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function enrollmentFor(
  identity: ScepIdentity,
  server: RecordingServer,
  signMessage = true,
): SimulatedEnrollment {
  return {
    serverUrl: `${server.url}/mdm`,
    checkInUrl: `${server.url}/checkin`,
    topic: TOPIC,
    signMessage,
    checkOutWhenRemoved: true,
    identity: { certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem },
    anchorCertificatesPem: identity.caCertificatesPem,
  };
}

// -------------------------------------------------------------------------------------------------

describe('SCEP client against Debian scepserver', () => {
  it('obtains a certificate (GetCACaps, GetCACert, POST PKIOperation, AES-256) that openssl verify accepts', async () => {
    const exchanges: string[] = [];
    const cn = uniqueCn();
    const caDer = new X509Certificate(scep.caPem).raw;
    const identity = await scepEnroll({
      url: scep.url,
      challenge: CHALLENGE,
      subject: [[['C', 'FR']], [['O', 'Ministère des Tests']], [['CN', cn]]],
      keySize: 2048,
      caFingerprint: createHash('sha256').update(caDer).digest(),
      onExchange: (exchange) =>
        exchanges.push(
          `${exchange.method} ${new URL(exchange.url).searchParams.get('operation')} ${exchange.status}`,
        ),
    });

    expect(exchanges).toEqual(['GET GetCACaps 200', 'GET GetCACert 200', 'POST PKIOperation 200']);
    expect(identity.capabilities).toEqual(expect.arrayContaining(['POSTPKIOperation', 'AES', 'SHA-256']));
    expect(identity).toMatchObject({ method: 'POST', cipher: 'aes-256-cbc', digest: 'sha256' });
    expect(identity.certificate.subject).toContain(`CN=${cn}`);
    expect(identity.certificate.subject).toContain('O=Ministère des Tests');
    expect(identity.certificate.checkIssued(new X509Certificate(scep.caPem))).toBe(true);
    expect(identity.certificate.checkPrivateKey(identity.privateKey)).toBe(true);
    expect(identity.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(identity.caCertificatesPem).toHaveLength(1);
    expect(new X509Certificate(identity.caCertificatesPem[0]).raw.equals(caDer)).toBe(true);
    expect(opensslVerifyCertificate(identity.certificatePem, scep.caPemPath)).toMatch(/: OK/);
  });

  it('falls back to GET PKIOperation and DES3 when GetCACaps offers neither POSTPKIOperation nor AES', async () => {
    const methods: string[] = [];
    // A fetch override that makes scepserver look like an old CA.
    const oldCa: typeof fetch = async (input, init) => {
      if (String(input).includes('operation=GetCACaps'))
        return new Response('SHA-256\nDES3\n', { status: 200 });
      return fetch(input, init);
    };
    const identity = await scepEnroll({
      url: scep.url,
      challenge: CHALLENGE,
      subject: `/O=Rempart/CN=${uniqueCn()}`,
      fetch: oldCa,
      onExchange: (exchange) => methods.push(exchange.method),
    });
    expect(identity).toMatchObject({ method: 'GET', cipher: 'des-ede3-cbc' });
    expect(methods).toEqual(['GET', 'GET', 'GET']);
    expect(opensslVerifyCertificate(identity.certificatePem, scep.caPemPath)).toMatch(/: OK/);
  });

  it('fails with a clear error when the challenge is wrong (pkiStatus FAILURE, failInfo badRequest)', async () => {
    const attempt = scepEnroll({
      url: scep.url,
      challenge: 'not-the-challenge',
      subject: `/CN=${uniqueCn()}`,
    });
    await expect(attempt).rejects.toBeInstanceOf(ScepError);
    await expect(attempt).rejects.toMatchObject({
      code: 'FAILURE',
      details: { failInfo: 'badRequest' },
      message: expect.stringMatching(/pkiStatus FAILURE, failInfo badRequest \(2\).*wrong challenge/),
    });
    expect(scep.log()).toContain('invalid challenge');
  });

  it('fails before PKIOperation when GetCACert does not match the CAFingerprint', async () => {
    const attempt = scepEnroll({
      url: scep.url,
      challenge: CHALLENGE,
      subject: `/CN=${uniqueCn()}`,
      caFingerprint: Buffer.alloc(32, 7),
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'CA_FINGERPRINT',
      message: expect.stringMatching(/CAFingerprint/),
    });
  });

  it('reports the HTTP status and body when the SCEP endpoint fails', async () => {
    const broken = await startRecordingServer(() => ({ status: 503, body: 'CA offline for maintenance' }));
    try {
      await expect(scepEnroll({ url: `${broken.url}/scep`, challenge: CHALLENGE })).rejects.toMatchObject({
        code: 'HTTP',
        details: { httpStatus: 503 },
        message: expect.stringMatching(/GetCACaps .* failed: HTTP 503: CA offline for maintenance/),
      });
    } finally {
      await broken.close();
    }
  });
});

// -------------------------------------------------------------------------------------------------

describe('check-in signing (Mdm-Signature)', () => {
  let server: RecordingServer;
  let identity: ScepIdentity;

  beforeAll(async () => {
    server = await startRecordingServer();
    identity = await scepEnroll({
      url: scep.url,
      challenge: CHALLENGE,
      subject: `/O=Rempart/CN=${uniqueCn('signing')}`,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('PUTs Authenticate with a detached CMS signature that openssl cms -verify accepts against the SCEP CA', async () => {
    const phone = new SimulatedIphone({
      supervised: true,
      installedApps: APPS,
      serialNumber: 'F2LZK0ABCD12',
    });
    phone.useEnrollment(enrollmentFor(identity, server));

    const response = await phone.checkIn('Authenticate');
    expect(response.status).toBe(200);
    expect(phone.lastStatus.checkin).toBe(200);

    const request = server.requests.at(-1) as RecordedRequest;
    expect(request.method).toBe('PUT');
    expect(request.path).toBe('/checkin');
    expect(header(request, 'content-type')).toBe('application/x-apple-aspen-mdm-checkin');
    expect(decodePlistDict(request.body)).toMatchObject({
      MessageType: 'Authenticate',
      Topic: TOPIC,
      UDID: phone.udid,
      SerialNumber: 'F2LZK0ABCD12',
      Model: 'iPhone15,2',
      ModelName: 'iPhone',
      ProductName: 'iPhone15,2',
      OSVersion: '17.5',
      DeviceName: phone.deviceName,
    });

    const signature = header(request, 'mdm-signature') as string;
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(() => opensslVerifyMdmSignature(request.body, signature, scep.caPem)).not.toThrow();
    // The signer is the SCEP identity, and the signature does not carry the content (detached).
    const parsed = parseSignedData(Buffer.from(signature, 'base64'));
    expect(parsed.content).toBeUndefined();
    expect(parsed.certificates.map((der) => new X509Certificate(der).fingerprint256)).toEqual([
      identity.certificate.fingerprint256,
    ]);
    // A tampered body no longer verifies.
    const tampered = Buffer.from(request.body.toString('utf8').replace('Authenticate', 'Authenticatf'));
    expect(() => opensslVerifyMdmSignature(tampered, signature, scep.caPem)).toThrow();
  });

  it('signs TokenUpdate, CheckOut and command reports the same way, and sends no header when SignMessage is false', async () => {
    const phone = new SimulatedIphone({ supervised: false, installedApps: [] });
    phone.useEnrollment(enrollmentFor(identity, server));
    const before = server.requests.length;
    await phone.checkIn('TokenUpdate');
    await phone.checkIn('CheckOut');
    expect(await phone.sendReport({ Status: 'Idle' })).toBeNull();
    const [tokenUpdate, checkOut, idle] = server.requests.slice(before);

    const tokenMessage = decodePlistDict(tokenUpdate.body);
    expect(tokenMessage).toMatchObject({
      MessageType: 'TokenUpdate',
      Topic: TOPIC,
      UDID: phone.udid,
      PushMagic: phone.pushMagic,
    });
    expect(Buffer.from(tokenMessage.Token as Uint8Array).equals(phone.pushToken)).toBe(true);
    expect(decodePlistDict(checkOut.body)).toEqual({
      MessageType: 'CheckOut',
      Topic: TOPIC,
      UDID: phone.udid,
    });
    expect(idle.path).toBe('/mdm');
    expect(header(idle, 'content-type')).not.toMatch(/checkin/);
    expect(decodePlistDict(idle.body)).toEqual({ UDID: phone.udid, Status: 'Idle' });
    for (const request of [tokenUpdate, checkOut, idle]) {
      expect(() =>
        opensslVerifyMdmSignature(request.body, header(request, 'mdm-signature') as string, scep.caPem),
      ).not.toThrow();
    }

    const unsigned = new SimulatedIphone({ supervised: false, installedApps: [] });
    unsigned.useEnrollment(enrollmentFor(identity, server, false));
    await unsigned.checkIn('Authenticate');
    expect(header(server.requests.at(-1) as RecordedRequest, 'mdm-signature')).toBeUndefined();
  });

  it('still signs with a 1024-bit SCEP key (Keysize 1024), which CmsSigner refuses for profiles', async () => {
    const small = await scepEnroll({
      url: scep.url,
      challenge: CHALLENGE,
      subject: `/CN=${uniqueCn('rsa1024')}`,
      keySize: 1024,
    });
    expect(small.privateKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    phone.useEnrollment(enrollmentFor(small, server));
    await phone.checkIn('Authenticate');
    const request = server.requests.at(-1) as RecordedRequest;
    expect(() =>
      opensslVerifyMdmSignature(request.body, header(request, 'mdm-signature') as string, scep.caPem),
    ).not.toThrow();
  });
});

// -------------------------------------------------------------------------------------------------

interface QueuedCommand {
  uuid: string;
  plist: Buffer;
  state: 'pending' | 'notnow' | 'done';
}

/**
 * A scripted stand-in for an MDM server: serves a signed enrollment profile (unique SCEP subject per
 * download), checks Mdm-Signature like NanoMDM (400 when invalid), records check-ins and reports, and
 * hands out queued commands per UDID (NotNow'd commands wait for the phone's next session).
 */
class FakeMdmServer {
  readonly checkIns: PlistDict[] = [];
  readonly reports: PlistDict[] = [];
  readonly signerFingerprints = new Set<string>();
  private readonly queues = new Map<string, QueuedCommand[]>();
  private http!: RecordingServer;
  private profileSigner!: CmsSigner;
  profileOverrides: { challenge?: string; checkInStatus?: number } = {};

  get url(): string {
    return this.http.url;
  }

  async start(): Promise<void> {
    const tenant = await generateTenantSigningIdentity({
      tenantName: 'Ministère des Tests',
      tenantSlug: 'tests',
    });
    this.profileSigner = new CmsSigner(tenant);
    this.http = await startRecordingServer((request) => this.handle(request));
  }

  close(): Promise<void> {
    return this.http.close();
  }

  sign(content: Buffer): Buffer {
    return this.profileSigner.sign(content);
  }

  enqueue(udid: string, requestType: string, fields: PlistDict = {}): string {
    const uuid = randomUUID().toUpperCase();
    const plist = encodePlist({ CommandUUID: uuid, Command: { RequestType: requestType, ...fields } });
    const queue = this.queues.get(udid) ?? [];
    queue.push({ uuid, plist, state: 'pending' });
    this.queues.set(udid, queue);
    return uuid;
  }

  reportsFor(udid: string): PlistDict[] {
    return this.reports.filter((report) => report.UDID === udid);
  }

  enrollmentProfile(): Buffer {
    const scepUuid = randomUUID().toUpperCase();
    const caDer = new X509Certificate(scep.caPem).raw;
    const profile: PlistDict = {
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'fr.rempart.tests.enrollment',
      PayloadUUID: randomUUID().toUpperCase(),
      PayloadDisplayName: 'Rempart MDM',
      PayloadOrganization: 'Ministère des Tests',
      PayloadContent: [
        {
          PayloadType: 'com.apple.security.root',
          PayloadVersion: 1,
          PayloadIdentifier: 'fr.rempart.tests.enrollment.ca',
          PayloadUUID: randomUUID().toUpperCase(),
          PayloadContent: caDer,
        },
        {
          PayloadType: 'com.apple.security.scep',
          PayloadVersion: 1,
          PayloadIdentifier: 'fr.rempart.tests.enrollment.scep',
          PayloadUUID: scepUuid,
          PayloadContent: {
            URL: scep.url,
            Challenge: this.profileOverrides.challenge ?? CHALLENGE,
            Subject: [[['O', 'Ministère des Tests']], [['CN', uniqueCn('device')]]],
            Keysize: 2048,
            'Key Type': 'RSA',
            'Key Usage': 5,
            CAFingerprint: createHash('sha256').update(caDer).digest(),
          },
        },
        {
          PayloadType: 'com.apple.mdm',
          PayloadVersion: 1,
          PayloadIdentifier: 'fr.rempart.tests.enrollment.mdm',
          PayloadUUID: randomUUID().toUpperCase(),
          ServerURL: `${this.url}/mdm`,
          CheckInURL: `${this.url}/checkin`,
          Topic: TOPIC,
          SignMessage: true,
          IdentityCertificateUUID: scepUuid,
          AccessRights: 8191,
          CheckOutWhenRemoved: true,
          ServerCapabilities: ['com.apple.mdm.per-user-connections'],
        },
      ],
    };
    return this.sign(encodePlist(profile));
  }

  private verifySignature(request: RecordedRequest): boolean {
    const signature = header(request, 'mdm-signature');
    if (signature === undefined) return false;
    try {
      const verified = verifySignedData(Buffer.from(signature, 'base64'), { detachedContent: request.body });
      if (!verified.signerCertificate.verify(new X509Certificate(scep.caPem).publicKey)) return false;
      this.signerFingerprints.add(verified.signerCertificate.fingerprint256);
      return true;
    } catch {
      return false;
    }
  }

  private handle(request: RecordedRequest) {
    if (request.method === 'GET' && request.path === '/enroll') {
      return {
        headers: { 'Content-Type': 'application/x-apple-aspen-config' },
        body: this.enrollmentProfile(),
      };
    }
    if (request.method === 'PUT' && request.path === '/checkin') {
      if (!this.verifySignature(request)) return { status: 400, body: 'bad Mdm-Signature' };
      this.checkIns.push(decodePlistDict(request.body));
      return { status: this.profileOverrides.checkInStatus ?? 200 };
    }
    if (request.method === 'PUT' && request.path === '/mdm') {
      if (!this.verifySignature(request)) return { status: 400, body: 'bad Mdm-Signature' };
      const report = decodePlistDict(request.body);
      this.reports.push(report);
      const queue = this.queues.get(String(report.UDID)) ?? [];
      // A new session (Idle) retries what the phone deferred earlier; within a session NotNow'd commands are skipped.
      if (report.Status === 'Idle')
        for (const command of queue) if (command.state === 'notnow') command.state = 'pending';
      const answered = queue.find((command) => command.uuid === report.CommandUUID);
      if (answered !== undefined) answered.state = report.Status === 'NotNow' ? 'notnow' : 'done';
      const next = queue.find((command) => command.state === 'pending');
      return next === undefined ? {} : { body: next.plist };
    }
    return { status: 404 };
  }
}

function banSpec(blocked: string[]): BanSpec {
  return {
    policy: {
      tenantSlug: 'tests',
      slug: 'banned-apps',
      name: 'Applications interdites',
      version: 1,
      organization: 'Ministère des Tests',
      description: 'Test policy',
    },
    mode: 'blocklist',
    includeLegacyIosKeys: false,
    ios: { blocked, allowed: [] },
    android: { blocked: [], allowed: [], forceInstalled: [] },
  };
}

const POLICY_PROFILE_ID = 'fr.rempart.tests.policy.banned-apps';

describe('enrollment and command handling against a scripted MDM server', () => {
  const mdm = new FakeMdmServer();

  beforeAll(async () => {
    await mdm.start();
  });

  afterAll(async () => {
    await mdm.close();
  });

  it('enrolls from a signed .mobileconfig: SCEP identity from scepserver, then Authenticate and TokenUpdate signed with it', async () => {
    const phone = new SimulatedIphone({ supervised: true, installedApps: APPS });
    await phone.enroll(`${mdm.url}/enroll`);

    expect(phone.enrolled).toBe(true);
    expect(phone.lastStatus).toMatchObject({ enroll: 200, scep: 200, checkin: 200 });
    const enrollment = phone.enrollment as SimulatedEnrollment;
    expect(enrollment).toMatchObject({
      serverUrl: `${mdm.url}/mdm`,
      checkInUrl: `${mdm.url}/checkin`,
      topic: TOPIC,
      signMessage: true,
      accessRights: 8191,
      checkOutWhenRemoved: true,
      profileIdentifier: 'fr.rempart.tests.enrollment',
    });
    const identity = new X509Certificate(enrollment.identity.certificatePem);
    expect(identity.subject).toMatch(/CN=device-/);
    expect(opensslVerifyCertificate(enrollment.identity.certificatePem, scep.caPemPath)).toMatch(/: OK/);
    expect(enrollment.anchorCertificatesPem.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([
      new X509Certificate(scep.caPem).fingerprint256,
    ]);

    const mine = mdm.checkIns.filter((message) => message.UDID === phone.udid);
    expect(mine.map((message) => message.MessageType)).toEqual(['Authenticate', 'TokenUpdate']);
    expect(mdm.signerFingerprints.has(identity.fingerprint256)).toBe(true);
    const scepCalls = phone.exchanges
      .filter((exchange) => exchange.endpoint === 'scep')
      .map((exchange) => exchange.method);
    expect(scepCalls).toEqual(['GET', 'GET', 'POST']);

    expect(phone.installedProfiles).toHaveLength(1);
    expect(phone.installedProfiles[0]).toMatchObject({
      identifier: 'fr.rempart.tests.enrollment',
      displayName: 'Rempart MDM',
      isManaged: false,
      signed: true,
      payloadTypes: ['com.apple.security.root', 'com.apple.security.scep', 'com.apple.mdm'],
    });
  });

  it('InstallProfile (signed Restrictions profile), ProfileList, InstalledApplicationList: well-formed reports, canLaunch honours supervision', async () => {
    const supervised = new SimulatedIphone({ supervised: true, installedApps: APPS });
    const unsupervised = new SimulatedIphone({ supervised: false, installedApps: APPS });
    const policyProfile = mdm.sign(compileRestrictionsProfile(banSpec([TIKTOK])));

    for (const phone of [supervised, unsupervised]) {
      await phone.enroll(`${mdm.url}/enroll`);
      const install = mdm.enqueue(phone.udid, 'InstallProfile', { Payload: policyProfile });
      const list = mdm.enqueue(phone.udid, 'ProfileList', { ManagedOnly: true });
      const apps = mdm.enqueue(phone.udid, 'InstalledApplicationList');

      const done = await phone.processCommands();
      expect(done).toEqual([
        { requestType: 'InstallProfile', commandUuid: install, status: 'Acknowledged' },
        { requestType: 'ProfileList', commandUuid: list, status: 'Acknowledged' },
        { requestType: 'InstalledApplicationList', commandUuid: apps, status: 'Acknowledged' },
      ]);

      const reports = mdm.reportsFor(phone.udid);
      expect(reports.map((report) => report.Status)).toEqual([
        'Idle',
        'Acknowledged',
        'Acknowledged',
        'Acknowledged',
      ]);
      for (const report of reports.slice(1)) {
        expect(report).toMatchObject({
          UDID: phone.udid,
          Status: 'Acknowledged',
          CommandUUID: expect.any(String),
        });
      }
      expect(reports[1]).toEqual({
        UDID: phone.udid,
        CommandUUID: install,
        Status: 'Acknowledged',
        RequestType: 'InstallProfile',
      });

      const profileList = reports[2].ProfileList as PlistDict[];
      expect(profileList).toHaveLength(1); // ManagedOnly: the enrollment profile is left out
      expect(profileList[0]).toMatchObject({
        PayloadIdentifier: POLICY_PROFILE_ID,
        PayloadUUID: expect.any(String),
        PayloadDisplayName: 'Applications interdites — Applications interdites',
        PayloadOrganization: 'Ministère des Tests',
        IsManaged: true,
        IsEncrypted: false,
        PayloadContent: [
          expect.objectContaining({
            PayloadType: 'com.apple.applicationaccess',
            PayloadIdentifier: `${POLICY_PROFILE_ID}.restrictions`,
          }),
        ],
      });
      expect(profileList[0].SignerCertificates).toHaveLength(2); // signing certificate + tenant CA

      const appList = reports[3].InstalledApplicationList as PlistDict[];
      expect(appList.map((app) => app.Identifier)).toEqual([TIKTOK, SIGNAL]);
      expect(appList[0]).toMatchObject({
        Identifier: TIKTOK,
        Name: 'TikTok',
        Version: '34.1.0',
        ShortVersion: '34.1.0',
        BundleSize: expect.any(Number),
      });

      const installed = phone.installedProfiles.find((profile) => profile.identifier === POLICY_PROFILE_ID);
      expect(installed).toMatchObject({
        isManaged: true,
        signed: true,
        payloadTypes: ['com.apple.applicationaccess'],
        restrictions: { blockedAppBundleIDs: [TIKTOK] },
      });
    }

    // Apple enforces blockedAppBundleIDs on supervised phones only.
    expect(supervised.canLaunch(TIKTOK)).toBe(false);
    expect(supervised.canLaunch(SIGNAL)).toBe(true);
    expect(unsupervised.canLaunch(TIKTOK)).toBe(true);
    expect(supervised.effectiveRestrictions).toEqual({ blockedAppBundleIDs: [TIKTOK], enforced: true });
    expect(unsupervised.effectiveRestrictions.enforced).toBe(false);
  });

  it('answers DeviceInformation, SecurityInfo, Restrictions and NotNow; refuses unknown or malformed commands with an ErrorChain; RemoveProfile lifts the block', async () => {
    const phone = new SimulatedIphone({
      supervised: true,
      installedApps: APPS,
      serialNumber: 'DNPXK1ABCD34',
      deviceName: 'iPhone de Camille',
      osVersion: '17.6',
      buildVersion: '21G80',
    });
    await phone.enroll(`${mdm.url}/enroll`);
    const unsigned = encodePlist({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'fr.rempart.tests.allowlist',
      PayloadUUID: randomUUID(),
      PayloadDisplayName: 'Allow list',
      PayloadContent: [
        {
          PayloadType: 'com.apple.applicationaccess',
          PayloadVersion: 1,
          PayloadIdentifier: 'fr.rempart.tests.allowlist.restrictions',
          PayloadUUID: randomUUID(),
          allowListedAppBundleIDs: [SIGNAL, 'com.apple.mobilesafari'],
        },
      ],
    });

    const uuids = {
      install: mdm.enqueue(phone.udid, 'InstallProfile', {
        Payload: mdm.sign(compileRestrictionsProfile(banSpec([TIKTOK]))),
      }),
      allowList: mdm.enqueue(phone.udid, 'InstallProfile', { Payload: unsigned }),
      info: mdm.enqueue(phone.udid, 'DeviceInformation', {
        Queries: [
          'UDID',
          'SerialNumber',
          'Model',
          'ModelName',
          'OSVersion',
          'BuildVersion',
          'DeviceName',
          'ProductName',
          'IsSupervised',
          'NoSuchQuery',
        ],
      }),
      security: mdm.enqueue(phone.udid, 'SecurityInfo'),
      restrictions: mdm.enqueue(phone.udid, 'Restrictions', { ProfileRestrictions: true }),
      later: mdm.enqueue(phone.udid, 'ProfileList'),
      unknown: mdm.enqueue(phone.udid, 'EraseDevice', { PIN: '123456' }),
      malformed: mdm.enqueue(phone.udid, 'InstallProfile', {
        Payload: Buffer.from('<plist><dict><key>oops'),
      }),
      noPayload: mdm.enqueue(phone.udid, 'InstallProfile'),
      tampered: mdm.enqueue(phone.udid, 'InstallProfile', {
        Payload: (() => {
          const signed = mdm.sign(compileRestrictionsProfile(banSpec([SIGNAL])));
          const at = signed.indexOf(Buffer.from(SIGNAL));
          signed[at] = 'p'.charCodeAt(0); // alter the signed content
          return signed;
        })(),
      }),
    };
    const done = await phone.processCommands({ notNow: ['ProfileList'] });
    expect(done.map((command) => `${command.requestType}:${command.status}`)).toEqual([
      'InstallProfile:Acknowledged',
      'InstallProfile:Acknowledged',
      'DeviceInformation:Acknowledged',
      'SecurityInfo:Acknowledged',
      'Restrictions:Acknowledged',
      'ProfileList:NotNow',
      'EraseDevice:Error',
      'InstallProfile:Error',
      'InstallProfile:CommandFormatError',
      'InstallProfile:Error',
    ]);
    const byUuid = new Map(mdm.reportsFor(phone.udid).map((report) => [report.CommandUUID, report]));
    for (const report of byUuid.values()) expect(report.UDID).toBe(phone.udid);

    expect(byUuid.get(uuids.info)?.QueryResponses).toEqual({
      UDID: phone.udid,
      SerialNumber: 'DNPXK1ABCD34',
      Model: 'iPhone15,2',
      ModelName: 'iPhone',
      OSVersion: '17.6',
      BuildVersion: '21G80',
      DeviceName: 'iPhone de Camille',
      ProductName: 'iPhone15,2',
      IsSupervised: true,
    });
    expect(byUuid.get(uuids.security)?.SecurityInfo).toMatchObject({
      PasscodePresent: true,
      HardwareEncryptionCaps: 3,
      ManagementStatus: { EnrolledViaDEP: false, IsUserEnrollment: false },
    });
    const restrictions = byUuid.get(uuids.restrictions) as PlistDict;
    expect(restrictions.GlobalRestrictions).toMatchObject({
      union: { blockedAppBundleIDs: { values: [TIKTOK] } },
      intersection: { allowListedAppBundleIDs: { values: ['com.apple.mobilesafari', SIGNAL] } },
    });
    expect(Object.keys(restrictions.ProfileRestrictions as PlistDict).sort()).toEqual([
      'fr.rempart.tests.allowlist',
      POLICY_PROFILE_ID,
    ]);
    expect(byUuid.get(uuids.later)?.Status).toBe('NotNow');
    expect(byUuid.get(uuids.unknown)).toMatchObject({
      Status: 'Error',
      ErrorChain: [
        {
          ErrorCode: 12021,
          ErrorDomain: 'MCMDMErrorDomain',
          LocalizedDescription: 'Unknown command: EraseDevice',
        },
      ],
    });
    expect(byUuid.get(uuids.malformed)).toMatchObject({
      Status: 'Error',
      ErrorChain: [
        {
          ErrorDomain: 'MCProfileErrorDomain',
          ErrorCode: 1000,
          LocalizedDescription: expect.stringMatching(/malformed/),
        },
      ],
    });
    expect(byUuid.get(uuids.noPayload)?.Status).toBe('CommandFormatError');
    expect(byUuid.get(uuids.tampered)).toMatchObject({
      Status: 'Error',
      ErrorChain: [
        { ErrorCode: 1004, LocalizedDescription: expect.stringMatching(/messageDigest does not match/) },
      ],
    });

    // Block list and allow list combine: only allow-listed, non-blocked apps open.
    expect(phone.canLaunch(SIGNAL)).toBe(true);
    expect(phone.canLaunch(TIKTOK)).toBe(false);
    expect(phone.canLaunch('com.facebook.Facebook')).toBe(false);

    // RemoveProfile lifts the restrictions; the deferred ProfileList now comes back.
    const removeBlock = mdm.enqueue(phone.udid, 'RemoveProfile', { Identifier: POLICY_PROFILE_ID });
    const removeAllow = mdm.enqueue(phone.udid, 'RemoveProfile', {
      Identifier: 'fr.rempart.tests.allowlist',
    });
    const removeMissing = mdm.enqueue(phone.udid, 'RemoveProfile', { Identifier: 'fr.rempart.tests.absent' });
    const second = await phone.processCommands();
    expect(second.map((command) => [command.commandUuid, command.status])).toEqual([
      [uuids.later, 'Acknowledged'],
      [removeBlock, 'Acknowledged'],
      [removeAllow, 'Acknowledged'],
      [removeMissing, 'Error'],
    ]);
    expect(phone.canLaunch(TIKTOK)).toBe(true);
    expect(phone.installedProfiles.map((profile) => profile.identifier)).toEqual([
      'fr.rempart.tests.enrollment',
    ]);
  });

  it('installs profiles signed by openssl cms -sign, DER or streamed BER (indefinite lengths)', async () => {
    const tenant = await generateTenantSigningIdentity({ tenantName: 'OpenSSL', tenantSlug: 'openssl' });
    const profilePath = file('policy.mobileconfig', compileRestrictionsProfile(banSpec([TIKTOK])));
    const certPath = file('signer.pem', tenant.certificatePem);
    const keyPath = file('signer.key', tenant.privateKeyPem);
    const phone = new SimulatedIphone({ supervised: true, installedApps: APPS });
    for (const extra of [[], ['-stream']]) {
      const signed = execFileSync('openssl', [
        'cms',
        '-sign',
        '-nodetach',
        '-binary',
        '-md',
        'sha256',
        ...extra,
        '-in',
        profilePath,
        '-signer',
        certPath,
        '-inkey',
        keyPath,
        '-outform',
        'DER',
      ]);
      const result = phone.executeCommand({
        CommandUUID: randomUUID(),
        Command: { RequestType: 'InstallProfile', Payload: signed },
      });
      expect(result.report).toMatchObject({ Status: 'Acknowledged' });
    }
    expect(phone.installedProfiles).toHaveLength(1);
    expect(phone.canLaunch(TIKTOK)).toBe(false);
  });

  it('RemoveProfile of the enrollment profile unenrolls the phone, which sends CheckOut', async () => {
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll(`${mdm.url}/enroll`);
    const remove = mdm.enqueue(phone.udid, 'RemoveProfile', { Identifier: 'fr.rempart.tests.enrollment' });
    expect(await phone.processCommands()).toEqual([
      { requestType: 'RemoveProfile', commandUuid: remove, status: 'Acknowledged' },
    ]);
    expect(phone.enrolled).toBe(false);
    expect(phone.installedProfiles).toEqual([]);
    expect(
      mdm.checkIns.filter((message) => message.UDID === phone.udid).map((message) => message.MessageType),
    ).toEqual(['Authenticate', 'TokenUpdate', 'CheckOut']);
  });

  it('enroll() fails with a clear message: enrollment URL 404, wrong SCEP challenge in the profile, check-in refused', async () => {
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await expect(phone.enroll(`${mdm.url}/no-such-profile`)).rejects.toThrow(
      /GET .*\/no-such-profile answered HTTP 404/,
    );
    expect(phone.lastStatus.enroll).toBe(404);

    mdm.profileOverrides = { challenge: 'stale-challenge' };
    try {
      await expect(phone.enroll(`${mdm.url}/enroll`)).rejects.toThrow(
        /SCEP at .* failed: .*FAILURE, failInfo badRequest/,
      );
    } finally {
      mdm.profileOverrides = {};
    }
    expect(phone.enrolled).toBe(false);

    mdm.profileOverrides = { checkInStatus: 403 };
    try {
      await expect(phone.enroll(`${mdm.url}/enroll`)).rejects.toThrow(
        /Authenticate check-in to .*\/checkin answered HTTP 403/,
      );
    } finally {
      mdm.profileOverrides = {};
    }
    expect(phone.enrolled).toBe(false);
    expect(phone.installedProfiles).toEqual([]);

    const garbage = await startRecordingServer(() => ({ body: 'not a profile' }));
    try {
      await expect(phone.enroll(`${garbage.url}/enroll`)).rejects.toThrow(
        /enrollment profile is unusable: .*malformed/,
      );
    } finally {
      await garbage.close();
    }
  });

  it('a fleet enrolls and reports with bounded concurrency', async () => {
    const fleet = createFleet({
      count: 6,
      supervisedRatio: 0.5,
      appsFor: (i) => (i % 2 === 0 ? APPS : [APPS[1]]),
      namePrefix: 'Agent',
    });
    expect(fleet.map((phone) => phone.supervised)).toEqual([false, true, false, true, false, true]);
    expect(fleet.map((phone) => phone.deviceName)).toEqual([
      'Agent-1',
      'Agent-2',
      'Agent-3',
      'Agent-4',
      'Agent-5',
      'Agent-6',
    ]);
    expect(new Set(fleet.map((phone) => phone.udid)).size).toBe(6);

    let inFlight = 0;
    let peak = 0;
    const results = await runWithConcurrency(fleet, 2, async (phone, i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        await phone.enroll(`${mdm.url}/enroll`);
        mdm.enqueue(phone.udid, 'InstalledApplicationList');
        return { i, done: await phone.processCommands() };
      } finally {
        inFlight -= 1;
      }
    });
    expect(peak).toBe(2);
    expect(results.map((result) => result.i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.every((result) => result.done[0]?.status === 'Acknowledged')).toBe(true);
    expect(isSupervisedAt(3, 0.25)).toBe(true);
    expect([0, 1, 2, 3, 4, 5, 6, 7].filter((i) => isSupervisedAt(i, 0.25))).toEqual([3, 7]);
    await expect(
      runWithConcurrency([1, 2, 3], 1, async (n) => {
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
  });
});
