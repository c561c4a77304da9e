import { createHash, createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import {
  CmsSigner,
  decodePlist,
  decodePlistDict,
  encodePlist,
  PlistError,
  type PlistDict,
  type PlistValue,
} from '#libs/apple';
import { buildSignedData, CmsError, derToPem, openEnvelopedData, verifySignedData } from './cms.js';
import { time as derTime } from './der.js';
import { scepEnroll, type HttpExchange, type ScepSubject } from './scep-client.js';

const SIGNING_TIME_OID = '1.2.840.113549.1.9.5';

/**
 * The signing time for each body a phone signs. Signing times have a one-second resolution, so the
 * same body signed twice within a second (two Idle reports in a row) would be the same signed
 * request, which the server refuses as a replay; the second one is dated the next second, as if the
 * phone had sent it a moment later.
 */
function distinctSigningTimes(): (body: Buffer) => Date {
  /** Body digest -> the second it was last signed with (only the current and later seconds are kept). */
  const lastSecond = new Map<string, number>();
  return (body) => {
    const now = Math.floor(Date.now() / 1000);
    for (const [digest, second] of lastSecond) if (second < now) lastSecond.delete(digest);
    const digest = createHash('sha256').update(body).digest('hex');
    const previous = lastSecond.get(digest);
    const second = previous === undefined ? now : previous + 1;
    lastSecond.set(digest, second);
    return new Date(second * 1000);
  };
}

/*
 * A simulated iPhone that speaks Apple's MDM protocol over real HTTP, for end-to-end tests,
 * benchmarks and a demo fleet. Like jessepeterson/mdmb it enrolls from a .mobileconfig (SCEP
 * identity + com.apple.mdm payload), signs every check-in and report with the SCEP identity in an
 * Mdm-Signature header, and answers commands; unlike mdmb it unwraps signed (CMS) profiles, models
 * Restrictions payloads (and the fact that iOS enforces app allow/block lists on supervised phones
 * only), and answers the inventory queries Rempart relies on.
 *
 * Wire references: shared/reference/apple-mdm.md §3-4 and §7, Apple's YAML schema (mdm/checkin,
 * mdm/commands, mdm/profiles). Not simulated: APNs (call processCommands() where a push would wake
 * the phone), TLS pinning, user channels, DDM.
 */

export interface SimulatedApp {
  identifier: string;
  name: string;
  version: string;
}

export interface SimulatedIphoneOptions {
  udid?: string;
  serialNumber?: string;
  /** Product type, e.g. 'iPhone15,2' (reported as Model and ProductName). */
  model?: string;
  /** e.g. 'iPhone'. */
  modelName?: string;
  /** e.g. '17.5'. */
  osVersion?: string;
  buildVersion?: string;
  deviceName?: string;
  supervised: boolean;
  installedApps: SimulatedApp[];
  /** Fetch override for tests (default: global fetch). */
  fetch?: typeof fetch;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** How many HTTP exchanges `exchanges` keeps (oldest dropped first). Default 50; 0 keeps none. */
  historyLimit?: number;
}

/** The state enrollment produces; `useEnrollment` lets a test or benchmark skip the real enrollment. */
export interface SimulatedEnrollment {
  serverUrl: string;
  checkInUrl: string;
  topic: string;
  signMessage: boolean;
  /** com.apple.mdm AccessRights; when set, commands needing a right not granted are refused. */
  accessRights?: number;
  checkOutWhenRemoved: boolean;
  /** The device identity (SCEP certificate and key, PEM). */
  identity: { certificatePem: string; privateKeyPem: string };
  /** Certificates from com.apple.security.root/pem/pkcs1 payloads (PEM). */
  anchorCertificatesPem: string[];
  /** PayloadIdentifier of the enrollment profile, if enrolled from one. */
  profileIdentifier?: string;
}

export interface ProfileRestrictions {
  blockedAppBundleIDs: string[];
  allowListedAppBundleIDs?: string[];
}

export interface InstalledProfile {
  identifier: string;
  uuid: string;
  displayName: string;
  organization?: string;
  description?: string;
  version: number;
  payloadTypes: string[];
  payloads: Array<{ type: string; identifier: string; uuid: string; displayName?: string; version: number }>;
  /** App restrictions declared by the profile's com.apple.applicationaccess payloads. */
  restrictions: ProfileRestrictions;
  /** Installed by an MDM InstallProfile (false for the enrollment profile). */
  isManaged: boolean;
  signed: boolean;
  /** DER certificates embedded in the profile's CMS signature. */
  signerCertificates: Buffer[];
  encrypted: boolean;
  removalDisallowed: boolean;
  /** The profile as parsed (decrypted PayloadContent for an encrypted profile). */
  plist: PlistDict;
}

export type SimulatorEndpoint = 'enroll' | 'scep' | 'checkin' | 'server';

export interface ProcessedCommand {
  requestType: string;
  commandUuid: string;
  status: string;
}

export type CheckInMessageType = 'Authenticate' | 'TokenUpdate' | 'CheckOut';

/** An ErrorChain entry as iOS reports it. */
interface ErrorChainItem {
  ErrorCode: number;
  ErrorDomain: string;
  LocalizedDescription: string;
  USEnglishDescription: string;
}

/** A command failure: the report's Status and ErrorChain. */
class CommandFailure extends Error {
  constructor(
    readonly status: 'Error' | 'CommandFormatError',
    readonly domain: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  chain(): ErrorChainItem[] {
    return [
      {
        ErrorCode: this.code,
        ErrorDomain: this.domain,
        LocalizedDescription: this.message,
        USEnglishDescription: this.message,
      },
    ];
  }
}

/*
 * Error domains/codes. MCMDMErrorDomain 12021 "Unknown command" is what mdmb sends
 * (internal/device/commands.go). The others follow the numbering of Apple's MDM error-code tables
 * (MCProfileErrorDomain 1000 malformed, 1002 missing field, 1004 bad signature, 1006 cannot decrypt;
 * MCMDMErrorDomain 12007 not authorized, 12013 profile not managed, 12016 missing field)
 * [from memory, not checked against the shared reference]: servers should store ErrorChain, not match codes.
 */
const PROFILE_DOMAIN = 'MCProfileErrorDomain';
const MDM_DOMAIN = 'MCMDMErrorDomain';

const CHECKIN_CONTENT_TYPE = 'application/x-apple-aspen-mdm-checkin';
/** What an iPhone puts on command reports [believed from captures; NanoMDM only tests for the check-in type]. */
const REPORT_CONTENT_TYPE = 'application/x-apple-aspen-mdm';
const MAX_SERVER_PLIST_BYTES = 32 * 1024 * 1024;

/** AccessRights bit each command needs (com.apple.mdm.yaml AccessRights). */
const ACCESS_RIGHTS: Record<string, { bit: number; name: string }> = {
  ProfileList: { bit: 1, name: 'AllowInspectProfileManifest' },
  InstallProfile: { bit: 2, name: 'AllowInstallationRemoval' },
  RemoveProfile: { bit: 2, name: 'AllowInstallationRemoval' },
  DeviceInformation: { bit: 16, name: 'AllowQueryDeviceInformation' },
  InstalledApplicationList: { bit: 256, name: 'AllowQueryApplications' },
  Restrictions: { bit: 512, name: 'AllowQueryRestrictions' },
  SecurityInfo: { bit: 1024, name: 'AllowQuerySecurity' },
};

const RESTRICTIONS_TYPE = 'com.apple.applicationaccess';
const CA_PAYLOAD_TYPES = new Set([
  'com.apple.security.root',
  'com.apple.security.pem',
  'com.apple.security.pkcs1',
]);

// ---------------------------------------------------------------------------------------------
// Small helpers

function isDict(value: unknown): value is PlistDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

const SERIAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

function randomSerial(): string {
  return [...randomBytes(10)].map((byte) => SERIAL_ALPHABET[byte % SERIAL_ALPHABET.length]).join('');
}

/** A modern iPhone UDID: 8 hex digits (chip id), a dash, 16 hex digits (ECID). */
function randomUdid(): string {
  return `00008120-${randomBytes(8).toString('hex').toUpperCase()}`;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function intersect(lists: string[][]): string[] {
  const [first, ...rest] = lists;
  return sortedUnique(first.filter((id) => rest.every((list) => list.includes(id))));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------

export class SimulatedIphone {
  readonly udid: string;
  readonly serialNumber: string;
  readonly model: string;
  readonly modelName: string;
  readonly osVersion: string;
  readonly buildVersion: string;
  readonly deviceName: string;
  /** Set by the ADE profile when the phone comes through Setup Assistant. */
  supervised: boolean;
  /** In Setup Assistant, held by an ADE profile with await_device_configured until DeviceConfigured. */
  awaitingConfiguration = false;
  /** What the phone enforced at the moment DeviceConfigured let the user in (ADE). */
  restrictionsWhenReleased: (ProfileRestrictions & { enforced: boolean }) | undefined;
  /** APNs token sent in TokenUpdate (APNs itself is not simulated). */
  readonly pushToken: Buffer = randomBytes(32);
  readonly pushMagic: string = randomUUID().toUpperCase();

  /** Last HTTP status per endpoint. */
  readonly lastStatus: Partial<Record<SimulatorEndpoint, number>> = {};

  private readonly fetchImpl: typeof fetch;
  private readonly extraHeaders: Record<string, string>;
  private readonly historyLimit: number;
  private readonly history: HttpExchange[] = [];
  private readonly apps: SimulatedApp[];
  private readonly profiles = new Map<string, InstalledProfile>();
  private state: SimulatedEnrollment | undefined;
  private signer: ((body: Buffer) => Buffer) | undefined;

  constructor(options: SimulatedIphoneOptions) {
    this.udid = options.udid ?? randomUdid();
    this.serialNumber = options.serialNumber ?? randomSerial();
    this.model = options.model ?? 'iPhone15,2';
    this.modelName = options.modelName ?? 'iPhone';
    this.osVersion = options.osVersion ?? '17.5';
    this.buildVersion = options.buildVersion ?? '21F79';
    this.deviceName = options.deviceName ?? `iPhone ${this.serialNumber.slice(-4)}`;
    this.supervised = options.supervised;
    this.apps = options.installedApps.map((app) => ({ ...app }));
    this.fetchImpl = options.fetch ?? fetch;
    this.extraHeaders = { ...(options.headers ?? {}) };
    this.historyLimit = options.historyLimit ?? 50;
  }

  // -------------------------------------------------------------------------------------------
  // What the phone has

  get installedProfiles(): ReadonlyArray<InstalledProfile> {
    return [...this.profiles.values()];
  }

  get installedApps(): ReadonlyArray<SimulatedApp> {
    return this.apps;
  }

  get enrollment(): Readonly<SimulatedEnrollment> | undefined {
    return this.state;
  }

  get enrolled(): boolean {
    return this.state !== undefined;
  }

  /** Raw HTTP exchanges (most recent last; see historyLimit). */
  get exchanges(): ReadonlyArray<HttpExchange> {
    return this.history;
  }

  lastExchange(endpoint: SimulatorEndpoint): HttpExchange | undefined {
    for (let i = this.history.length - 1; i >= 0; i--)
      if (this.history[i].endpoint === endpoint) return this.history[i];
    return undefined;
  }

  /**
   * The restrictions the installed profiles declare, combined as iOS does: blocked lists are a union,
   * allow lists an intersection. `enforced` is false on an unsupervised phone, which ignores them.
   */
  get effectiveRestrictions(): ProfileRestrictions & { enforced: boolean } {
    const blocked = new Set<string>();
    const allowLists: string[][] = [];
    for (const profile of this.profiles.values()) {
      for (const id of profile.restrictions.blockedAppBundleIDs) blocked.add(id);
      if (profile.restrictions.allowListedAppBundleIDs)
        allowLists.push(profile.restrictions.allowListedAppBundleIDs);
    }
    return {
      blockedAppBundleIDs: sortedUnique(blocked),
      ...(allowLists.length > 0 ? { allowListedAppBundleIDs: intersect(allowLists) } : {}),
      enforced: this.supervised,
    };
  }

  /**
   * Whether the app would open. Apple applies blockedAppBundleIDs / allowListedAppBundleIDs only on
   * supervised devices: an unsupervised phone installs the profile and still launches the app.
   * (Only restrictions are modelled: the app need not be in installedApps, system apps are not.)
   */
  canLaunch(bundleId: string): boolean {
    if (!this.supervised) return true;
    const { blockedAppBundleIDs, allowListedAppBundleIDs } = this.effectiveRestrictions;
    if (blockedAppBundleIDs.includes(bundleId)) return false;
    if (allowListedAppBundleIDs !== undefined && !allowListedAppBundleIDs.includes(bundleId)) return false;
    return true;
  }

  /** Adds or updates an app (simulates the user installing it from the App Store). */
  installApp(app: SimulatedApp): void {
    const index = this.apps.findIndex((existing) => existing.identifier === app.identifier);
    if (index === -1) this.apps.push({ ...app });
    else this.apps[index] = { ...app };
  }

  removeApp(identifier: string): void {
    const index = this.apps.findIndex((app) => app.identifier === identifier);
    if (index !== -1) this.apps.splice(index, 1);
  }

  // -------------------------------------------------------------------------------------------
  // Enrollment

  /**
   * Enrolls like a phone opening the enrollment URL: downloads the (signed or unsigned) .mobileconfig,
   * installs it (see installEnrollmentProfile). Throws an Error with a clear message on any failure.
   */
  async enroll(enrollUrl: string): Promise<void> {
    const response = await this.request('enroll', 'GET', enrollUrl, undefined, {
      Accept: 'application/x-apple-aspen-config, */*',
    });
    if (response.status !== 200) {
      throw new Error(
        `enrollment: GET ${enrollUrl} answered HTTP ${response.status}${snippet(response.body)}`,
      );
    }
    if (response.body.length === 0) throw new Error(`enrollment: GET ${enrollUrl} returned an empty body`);
    await this.installEnrollmentProfile(response.body);
  }

  /**
   * Setup Assistant on a phone bought through Apple Business Manager (ADE): with the ADE profile
   * Apple handed out for its serial, it sends a MachineInfo plist CMS-signed by its Apple device
   * identity to the profile's `url` (POST, body application/pkcs7-signature; or, in `get` mode, a
   * GET with the base64 blob in `x-apple-aspen-deviceinfo`), installs the enrollment profile it gets
   * (SCEP, Authenticate, TokenUpdate with AwaitingConfiguration) and then waits in Setup Assistant
   * for DeviceConfigured when the profile says so. Supervision comes from the ADE profile.
   */
  async runSetupAssistant(options: {
    adeProfile: { url: string; is_supervised?: boolean; await_device_configured?: boolean };
    deviceIdentity: { certificatePem: string; privateKeyPem: string };
    mode?: 'post' | 'get';
    digest?: 'sha1' | 'sha256';
  }): Promise<void> {
    const machineInfo = this.machineInfo(options.deviceIdentity, options.digest);
    const url = options.adeProfile.url;
    const response =
      options.mode === 'get'
        ? await this.request('enroll', 'GET', url, undefined, {
            'x-apple-aspen-deviceinfo': machineInfo.toString('base64'),
          })
        : await this.request('enroll', 'POST', url, machineInfo, {
            'Content-Type': 'application/pkcs7-signature',
          });
    if (response.status !== 200) {
      throw new Error(`Setup Assistant: ${url} answered HTTP ${response.status}${snippet(response.body)}`);
    }
    // iOS 13+: every ADE enrollment is supervised whatever the flag says.
    this.supervised = true;
    this.awaitingConfiguration = options.adeProfile.await_device_configured === true;
    try {
      await this.installEnrollmentProfile(response.body);
    } catch (error) {
      this.awaitingConfiguration = false;
      throw error;
    }
  }

  /** MachineInfo (apple-ade.md §4.2) signed by the device identity, as Setup Assistant sends it. */
  machineInfo(
    identity: { certificatePem: string; privateKeyPem: string },
    digest: 'sha1' | 'sha256' = 'sha256',
  ): Buffer {
    const plist = encodePlist({
      UDID: this.udid,
      SERIAL: this.serialNumber,
      PRODUCT: this.model,
      VERSION: this.buildVersion,
      OS_VERSION: this.osVersion,
      LANGUAGE: 'fr',
    });
    return buildSignedData({
      content: plist,
      certificateDer: new X509Certificate(identity.certificatePem).raw,
      privateKey: createPrivateKey(identity.privateKeyPem),
      digest,
    });
  }

  /**
   * Installs an enrollment profile: verifies its CMS signature when signed, gets the identity from its
   * com.apple.security.scep payload, records CA payloads, then sends Authenticate and TokenUpdate to
   * the com.apple.mdm payload's CheckInURL. On failure nothing stays installed.
   */
  async installEnrollmentProfile(bytes: Uint8Array): Promise<void> {
    if (this.state !== undefined)
      throw new Error(`enrollment: ${this.udid} is already enrolled; unenroll first`);
    let read: ReadProfile;
    try {
      read = readProfile(bytes, undefined);
    } catch (error) {
      throw new Error(`enrollment: the enrollment profile is unusable: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    const payloads = read.payloads;
    const mdmPayloads = payloads.filter((payload) => payload.PayloadType === 'com.apple.mdm');
    if (mdmPayloads.length !== 1) {
      throw new Error(
        `enrollment: the profile must contain exactly one com.apple.mdm payload (found ${mdmPayloads.length})`,
      );
    }
    const mdm = mdmPayloads[0];
    const serverUrl = optionalString(mdm.ServerURL);
    const topic = optionalString(mdm.Topic);
    const identityUuid = optionalString(mdm.IdentityCertificateUUID);
    if (!serverUrl) throw new Error('enrollment: com.apple.mdm payload has no ServerURL');
    if (!topic) throw new Error('enrollment: com.apple.mdm payload has no Topic');
    if (!topic.startsWith('com.apple.mgmt.')) {
      throw new Error(
        `enrollment: com.apple.mdm Topic ${JSON.stringify(topic)} does not start with com.apple.mgmt.`,
      );
    }
    if (!identityUuid) throw new Error('enrollment: com.apple.mdm payload has no IdentityCertificateUUID');
    const identityPayload = payloads.find((payload) => payload.PayloadUUID === identityUuid);
    if (identityPayload === undefined) {
      throw new Error(
        `enrollment: IdentityCertificateUUID ${identityUuid} matches no payload of the profile`,
      );
    }
    if (identityPayload.PayloadType !== 'com.apple.security.scep') {
      throw new Error(
        `enrollment: the identity payload is ${String(identityPayload.PayloadType)}; only com.apple.security.scep is supported`,
      );
    }
    const scep = identityPayload.PayloadContent;
    if (!isDict(scep) || typeof scep.URL !== 'string') {
      throw new Error('enrollment: the com.apple.security.scep payload has no PayloadContent.URL');
    }
    const keyType = optionalString(scep['Key Type']);
    if (keyType !== undefined && keyType !== 'RSA')
      throw new Error(`enrollment: SCEP Key Type ${keyType} is not supported`);

    const anchors: string[] = [];
    for (const payload of payloads) {
      if (!CA_PAYLOAD_TYPES.has(String(payload.PayloadType))) continue;
      const content = payload.PayloadContent;
      if (!(content instanceof Uint8Array)) {
        throw new Error(
          `enrollment: ${String(payload.PayloadType)} payload ${String(payload.PayloadUUID)} has no certificate data`,
        );
      }
      try {
        anchors.push(derToPem(new X509Certificate(Buffer.from(content)).raw));
      } catch {
        throw new Error(
          `enrollment: ${String(payload.PayloadType)} payload ${String(payload.PayloadUUID)} is not a certificate`,
        );
      }
    }

    const subject = Array.isArray(scep.Subject) ? (scep.Subject as unknown as ScepSubject) : undefined;
    let identity;
    try {
      identity = await scepEnroll({
        url: scep.URL,
        challenge: optionalString(scep.Challenge),
        // Like macOS, fall back to the payload identifier when the payload gives no subject.
        subject:
          subject && subject.length > 0 ? subject : [[['CN', String(identityPayload.PayloadIdentifier)]]],
        keySize: typeof scep.Keysize === 'number' ? scep.Keysize : 2048,
        name: optionalString(scep.Name),
        keyUsage: typeof scep['Key Usage'] === 'number' ? scep['Key Usage'] : undefined,
        caFingerprint: scep.CAFingerprint instanceof Uint8Array ? scep.CAFingerprint : undefined,
        fetch: this.fetchImpl,
        headers: this.extraHeaders,
        onExchange: (exchange) => this.record(exchange),
      });
    } catch (error) {
      throw new Error(`enrollment: SCEP at ${scep.URL} failed: ${errorMessage(error)}`, { cause: error });
    }

    const checkInUrl = optionalString(mdm.CheckInURL) ?? serverUrl;
    this.useEnrollment({
      serverUrl,
      checkInUrl,
      topic,
      signMessage: mdm.SignMessage === true,
      accessRights: typeof mdm.AccessRights === 'number' ? mdm.AccessRights : undefined,
      checkOutWhenRemoved: mdm.CheckOutWhenRemoved === true,
      identity: { certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem },
      anchorCertificatesPem: anchors,
      profileIdentifier: read.installed.identifier,
    });
    this.profiles.set(read.installed.identifier, { ...read.installed, isManaged: false });
    try {
      for (const message of ['Authenticate', 'TokenUpdate'] as const) {
        const response = await this.checkIn(message);
        if (response.status !== 200) {
          throw new Error(
            `enrollment: ${message} check-in to ${checkInUrl} answered HTTP ${response.status}${snippet(Buffer.from(await response.arrayBuffer()))}`,
          );
        }
      }
    } catch (error) {
      this.profiles.delete(read.installed.identifier);
      this.forgetEnrollment();
      throw error;
    }
  }

  /** Sets the enrollment state directly (an identity made by the test, no SCEP, no check-in). */
  useEnrollment(enrollment: SimulatedEnrollment): void {
    const key = createPrivateKey(enrollment.identity.privateKeyPem);
    const certificate = new X509Certificate(enrollment.identity.certificatePem);
    if (!certificate.checkPrivateKey(key))
      throw new Error('useEnrollment: the identity key does not match its certificate');
    let signer: (body: Buffer) => Buffer;
    const signingTime = distinctSigningTimes();
    try {
      const cms = new CmsSigner({
        certificatePem: enrollment.identity.certificatePem,
        privateKeyPem: enrollment.identity.privateKeyPem,
      });
      signer = (body) => cms.signDetached(body, signingTime(body));
    } catch (error) {
      // CmsSigner refuses RSA keys under 2048 bits (profile signing policy); a phone with a SCEP
      // Keysize of 1024 still signs its messages, so fall back to the simulator's own CMS builder.
      if ((error as { code?: string }).code !== 'WEAK_KEY') throw error;
      signer = (body) =>
        buildSignedData({
          content: body,
          certificateDer: certificate.raw,
          privateKey: key,
          detached: true,
          attributes: [{ type: SIGNING_TIME_OID, value: derTime(signingTime(body)) }],
        });
    }
    this.state = { ...enrollment, anchorCertificatesPem: [...enrollment.anchorCertificatesPem] };
    this.signer = signer;
  }

  /** Forgets the enrollment and the profiles it installed (the phone was wiped or unenrolled). */
  unenroll(): void {
    this.profiles.clear();
    this.forgetEnrollment();
  }

  private forgetEnrollment(): void {
    this.state = undefined;
    this.signer = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Transport

  /** The check-in message as the phone sends it. */
  checkInMessage(message: CheckInMessageType): PlistDict {
    const topic = this.requireEnrollment().topic;
    switch (message) {
      case 'Authenticate':
        return {
          MessageType: 'Authenticate',
          Topic: topic,
          UDID: this.udid,
          DeviceName: this.deviceName,
          Model: this.model,
          ModelName: this.modelName,
          ProductName: this.model,
          SerialNumber: this.serialNumber,
          OSVersion: this.osVersion,
          BuildVersion: this.buildVersion,
        };
      case 'TokenUpdate':
        return {
          MessageType: 'TokenUpdate',
          Topic: topic,
          UDID: this.udid,
          Token: this.pushToken,
          PushMagic: this.pushMagic,
          ...(this.awaitingConfiguration ? { AwaitingConfiguration: true } : {}),
        };
      case 'CheckOut':
        return { MessageType: 'CheckOut', Topic: topic, UDID: this.udid };
      default:
        throw new Error(`unknown check-in message ${String(message)}`);
    }
  }

  /**
   * PUT CheckInURL with the check-in plist (Content-Type application/x-apple-aspen-mdm-checkin) and,
   * when SignMessage is true, an Mdm-Signature header. Returns the response (body still readable).
   */
  async checkIn(message: CheckInMessageType): Promise<Response> {
    const enrollment = this.requireEnrollment();
    const body = encodePlist(this.checkInMessage(message));
    const result = await this.request('checkin', 'PUT', enrollment.checkInUrl, body, {
      'Content-Type': CHECKIN_CONTENT_TYPE,
      ...this.mdmSignatureHeader(body),
    });
    return new Response(result.status === 204 || result.status === 304 ? null : new Uint8Array(result.body), {
      status: result.status,
      headers: result.headers,
    });
  }

  /**
   * One PUT to ServerURL with `report` (Idle or a command result; UDID is added when missing).
   * Returns the next command, or null when the server answers with an empty body. Throws on a
   * non-200 answer or a body that is not a plist dictionary.
   */
  async sendReport(report: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    const enrollment = this.requireEnrollment();
    const body = encodePlist({ UDID: this.udid, ...report } as PlistDict);
    const result = await this.request('server', 'PUT', enrollment.serverUrl, body, {
      'Content-Type': REPORT_CONTENT_TYPE,
      ...this.mdmSignatureHeader(body),
    });
    if (result.status !== 200) {
      throw new Error(
        `PUT ${enrollment.serverUrl} (${String(report.Status)} report) answered HTTP ${result.status}${snippet(result.body)}`,
      );
    }
    if (result.body.toString('utf8').trim() === '') return null;
    try {
      return decodePlistDict(result.body, { maxBytes: MAX_SERVER_PLIST_BYTES });
    } catch (error) {
      throw new Error(
        `PUT ${enrollment.serverUrl}: the reply is not a command plist: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * What a phone does when a push wakes it: send Idle, execute each command the server returns and
   * report its result, until the server answers with an empty body. Commands whose RequestType is in
   * `notNow` are answered NotNow. Stops (throws) after `maxCommands` commands.
   */
  async processCommands(
    options: { notNow?: string[]; maxCommands?: number } = {},
  ): Promise<ProcessedCommand[]> {
    const notNow = new Set(options.notNow ?? []);
    const maxCommands = options.maxCommands ?? 1000;
    const done: ProcessedCommand[] = [];
    let report: PlistDict = { UDID: this.udid, Status: 'Idle' };
    for (;;) {
      const command = await this.sendReport(report);
      if (command === null) return done;
      if (done.length >= maxCommands) {
        throw new Error(
          `processCommands: the server sent more than ${maxCommands} commands without an empty reply`,
        );
      }
      const result = this.executeCommand(command, notNow);
      done.push({
        requestType: result.requestType,
        commandUuid: result.commandUuid,
        status: String(result.report.Status),
      });
      if (result.unenroll) {
        // The enrollment profile was removed: acknowledge, then leave like a phone does.
        await this.sendReport(result.report);
        const checkOut = this.state?.checkOutWhenRemoved === true;
        if (checkOut) await this.checkIn('CheckOut');
        this.unenroll();
        return done;
      }
      report = result.report;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  /** Runs one command dictionary ({CommandUUID, Command: {RequestType, ...}}) and builds its report. */
  executeCommand(
    command: Record<string, unknown>,
    notNow: ReadonlySet<string> = new Set(),
  ): { requestType: string; commandUuid: string; report: PlistDict; unenroll: boolean } {
    const commandUuid = optionalString(command.CommandUUID) ?? '';
    const body = isDict(command.Command) ? command.Command : undefined;
    const requestType = optionalString(body?.RequestType) ?? '';
    const base: PlistDict = { UDID: this.udid, CommandUUID: commandUuid };
    if (requestType !== '') base.RequestType = requestType;
    let unenroll = false;
    try {
      if (commandUuid === '' || body === undefined || requestType === '') {
        throw new CommandFailure(
          'CommandFormatError',
          MDM_DOMAIN,
          12016,
          'The command has no CommandUUID, Command or RequestType',
        );
      }
      if (notNow.has(requestType))
        return { requestType, commandUuid, report: { ...base, Status: 'NotNow' }, unenroll };
      const right = ACCESS_RIGHTS[requestType];
      const rights = this.state?.accessRights;
      if (right !== undefined && rights !== undefined && (rights & right.bit) === 0) {
        throw new CommandFailure(
          'Error',
          MDM_DOMAIN,
          12007,
          `Not authorized: the MDM payload does not grant ${right.name}`,
        );
      }
      let response: PlistDict;
      switch (requestType) {
        case 'InstallProfile':
          response = this.installProfileCommand(body);
          break;
        case 'RemoveProfile': {
          const removed = this.removeProfileCommand(body);
          unenroll = removed.unenroll;
          response = {};
          break;
        }
        case 'ProfileList':
          response = this.profileListResponse(body);
          break;
        case 'InstalledApplicationList':
          response = this.installedApplicationListResponse(body);
          break;
        case 'DeviceInformation':
          response = this.deviceInformationResponse(body);
          break;
        case 'SecurityInfo':
          response = this.securityInfoResponse();
          break;
        case 'Restrictions':
          response = this.restrictionsResponse(body);
          break;
        case 'DeviceConfigured':
          response = this.deviceConfiguredCommand();
          break;
        default:
          throw new CommandFailure('Error', MDM_DOMAIN, 12021, `Unknown command: ${requestType}`);
      }
      return { requestType, commandUuid, report: { ...base, Status: 'Acknowledged', ...response }, unenroll };
    } catch (error) {
      const failure =
        error instanceof CommandFailure
          ? error
          : new CommandFailure('Error', MDM_DOMAIN, 12010, `Internal error: ${errorMessage(error)}`);
      return {
        requestType,
        commandUuid,
        report: { ...base, Status: failure.status, ErrorChain: failure.chain() as unknown as PlistValue[] },
        unenroll: false,
      };
    }
  }

  /** Setup Assistant goes on: the user gets the home screen with whatever is installed by now. */
  private deviceConfiguredCommand(): PlistDict {
    if (!this.awaitingConfiguration) {
      throw new CommandFailure(
        'Error',
        MDM_DOMAIN,
        12001,
        'DeviceConfigured: the device is not awaiting configuration',
      );
    }
    this.awaitingConfiguration = false;
    this.restrictionsWhenReleased = this.effectiveRestrictions;
    return {};
  }

  private installProfileCommand(command: PlistDict): PlistDict {
    const payload = command.Payload;
    if (!(payload instanceof Uint8Array)) {
      throw new CommandFailure(
        'CommandFormatError',
        MDM_DOMAIN,
        12016,
        'InstallProfile: Payload must be <data>',
      );
    }
    const read = readProfile(payload, this.state?.identity.privateKeyPem);
    if (read.payloads.some((item) => item.PayloadType === 'com.apple.mdm')) {
      throw new CommandFailure(
        'Error',
        MDM_DOMAIN,
        12001,
        'InstallProfile: a profile with an MDM payload cannot be installed by MDM',
      );
    }
    const existing = this.profiles.get(read.installed.identifier);
    if (existing !== undefined && !existing.isManaged) {
      throw new CommandFailure(
        'Error',
        MDM_DOMAIN,
        12009,
        `InstallProfile: ${read.installed.identifier} is installed and not managed by this MDM; it cannot be replaced`,
      );
    }
    this.profiles.set(read.installed.identifier, { ...read.installed, isManaged: true });
    return {};
  }

  private removeProfileCommand(command: PlistDict): { unenroll: boolean } {
    const identifier = command.Identifier;
    if (typeof identifier !== 'string' || identifier === '') {
      throw new CommandFailure(
        'CommandFormatError',
        MDM_DOMAIN,
        12016,
        'RemoveProfile: Identifier must be a string',
      );
    }
    if (this.state?.profileIdentifier === identifier) return { unenroll: true };
    const profile = this.profiles.get(identifier);
    if (profile === undefined || !profile.isManaged) {
      throw new CommandFailure(
        'Error',
        MDM_DOMAIN,
        12013,
        `Profile not managed: ${identifier} is not installed by this MDM`,
      );
    }
    this.profiles.delete(identifier);
    return { unenroll: false };
  }

  private profileListResponse(command: PlistDict): PlistDict {
    const managedOnly = command.ManagedOnly === true;
    const list = [...this.profiles.values()]
      .filter((profile) => !managedOnly || profile.isManaged)
      .map((profile): PlistDict => {
        const entry: PlistDict = {
          PayloadIdentifier: profile.identifier,
          PayloadUUID: profile.uuid,
          PayloadVersion: profile.version,
          PayloadDisplayName: profile.displayName,
          PayloadRemovalDisallowed: profile.removalDisallowed,
          HasRemovalPasscode: false,
          IsEncrypted: profile.encrypted,
          IsManaged: profile.isManaged,
          PayloadContent: profile.payloads.map((payload) => {
            const summary: PlistDict = {
              PayloadType: payload.type,
              PayloadIdentifier: payload.identifier,
              PayloadUUID: payload.uuid,
              PayloadVersion: payload.version,
            };
            if (payload.displayName !== undefined) summary.PayloadDisplayName = payload.displayName;
            return summary;
          }),
        };
        if (profile.organization !== undefined) entry.PayloadOrganization = profile.organization;
        if (profile.description !== undefined) entry.PayloadDescription = profile.description;
        if (profile.signerCertificates.length > 0) entry.SignerCertificates = profile.signerCertificates;
        return entry;
      });
    return { ProfileList: list };
  }

  private installedApplicationListResponse(command: PlistDict): PlistDict {
    const identifiers = Array.isArray(command.Identifiers)
      ? new Set(stringList(command.Identifiers))
      : undefined;
    const items = Array.isArray(command.Items) ? new Set(stringList(command.Items)) : undefined;
    // The simulator models no managed (MDM-installed) apps.
    const apps = command.ManagedAppsOnly === true ? [] : this.apps;
    const list = apps
      .filter((app) => identifiers === undefined || identifiers.has(app.identifier))
      .map((app): PlistDict => {
        const hash = createHash('sha256').update(app.identifier).digest();
        const full: PlistDict = {
          Identifier: app.identifier,
          Name: app.name,
          Version: app.version,
          ShortVersion: app.version,
          BundleSize: 10_000_000 + (hash.readUInt32BE(0) % 190_000_000),
          DynamicSize: 1_000_000 + (hash.readUInt32BE(4) % 50_000_000),
          Installing: false,
          AppStoreVendable: true,
          DeviceBasedVPP: false,
          BetaApp: false,
          AdHocCodeSigned: false,
          HasUpdateAvailable: false,
          IsAppClip: false,
          IsValidated: false,
        };
        if (items === undefined) return full;
        return Object.fromEntries(
          Object.entries(full).filter(([key]) => key === 'Identifier' || items.has(key)),
        );
      });
    return { InstalledApplicationList: list };
  }

  /** The DeviceInformation answers this simulator knows; unknown queries are left out, as iOS does. */
  deviceInformation(): PlistDict {
    const capacity = 128;
    return {
      UDID: this.udid,
      SerialNumber: this.serialNumber,
      Model: this.model,
      ModelName: this.modelName,
      ProductName: this.model,
      DeviceName: this.deviceName,
      OSVersion: this.osVersion,
      BuildVersion: this.buildVersion,
      IsSupervised: this.supervised,
      IsMultiUser: false,
      IsDeviceLocatorServiceEnabled: false,
      IsActivationLockEnabled: false,
      IsMDMLostModeEnabled: false,
      IsCloudBackupEnabled: false,
      AwaitingConfiguration: this.awaitingConfiguration,
      DeviceCapacity: capacity,
      AvailableDeviceCapacity: capacity / 2,
      BatteryLevel: 0.8,
      CellularTechnology: 3,
      WiFiMAC: macFrom(this.udid, 'wifi'),
      BluetoothMAC: macFrom(this.udid, 'bt'),
      TimeZone: 'Europe/Paris',
      PushToken: this.pushToken,
    };
  }

  private deviceInformationResponse(command: PlistDict): PlistDict {
    if (!Array.isArray(command.Queries)) {
      throw new CommandFailure(
        'CommandFormatError',
        MDM_DOMAIN,
        12016,
        'DeviceInformation: Queries must be an array',
      );
    }
    const all = this.deviceInformation();
    const responses: PlistDict = {};
    for (const query of stringList(command.Queries)) if (query in all) responses[query] = all[query];
    return { QueryResponses: responses };
  }

  private securityInfoResponse(): PlistDict {
    return {
      SecurityInfo: {
        HardwareEncryptionCaps: 3,
        PasscodePresent: true,
        PasscodeCompliant: true,
        PasscodeCompliantWithProfiles: true,
        PasscodeLockGracePeriodEnforced: 0,
        ManagementStatus: {
          EnrolledViaDEP: false,
          IsUserEnrollment: false,
          IsActivationLockManageable: this.supervised,
        },
      },
    };
  }

  /**
   * Restrictions: GlobalRestrictions are the restrictions in force (none of the app lists on an
   * unsupervised phone, which ignores them); ProfileRestrictions (when asked) what each profile declares.
   */
  private restrictionsResponse(command: PlistDict): PlistDict {
    const dictionary = (restrictions: ProfileRestrictions): PlistDict => {
      const out: PlistDict = { restrictedBool: {}, restrictedValue: {}, intersection: {}, union: {} };
      if (restrictions.blockedAppBundleIDs.length > 0) {
        (out.union as PlistDict).blockedAppBundleIDs = { values: restrictions.blockedAppBundleIDs };
      }
      if (restrictions.allowListedAppBundleIDs !== undefined) {
        (out.intersection as PlistDict).allowListedAppBundleIDs = {
          values: restrictions.allowListedAppBundleIDs,
        };
      }
      return out;
    };
    const effective = this.effectiveRestrictions;
    const response: PlistDict = {
      GlobalRestrictions: dictionary(effective.enforced ? effective : { blockedAppBundleIDs: [] }),
    };
    if (command.ProfileRestrictions === true) {
      const perProfile: PlistDict = {};
      for (const profile of this.profiles.values()) {
        const { blockedAppBundleIDs, allowListedAppBundleIDs } = profile.restrictions;
        if (blockedAppBundleIDs.length > 0 || allowListedAppBundleIDs !== undefined) {
          perProfile[profile.identifier] = dictionary(profile.restrictions);
        }
      }
      response.ProfileRestrictions = perProfile;
    }
    return response;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing

  private requireEnrollment(): SimulatedEnrollment {
    if (this.state === undefined) throw new Error(`${this.udid} is not enrolled`);
    return this.state;
  }

  /** The Mdm-Signature header this phone sends with `body` (none when SignMessage is off). */
  mdmSignatureHeader(body: Buffer): Record<string, string> {
    if (this.state?.signMessage !== true || this.signer === undefined) return {};
    return { 'Mdm-Signature': this.signer(body).toString('base64') };
  }

  /** The base64 Mdm-Signature of `body` with this phone's identity (tests build hostile requests with it). */
  sign(body: Buffer): string {
    if (this.signer === undefined) throw new Error(`${this.udid} has no identity to sign with`);
    return this.signer(body).toString('base64');
  }

  private record(exchange: HttpExchange): void {
    this.lastStatus[exchange.endpoint as SimulatorEndpoint] = exchange.status;
    if (this.historyLimit <= 0) return;
    this.history.push(exchange);
    if (this.history.length > this.historyLimit)
      this.history.splice(0, this.history.length - this.historyLimit);
  }

  private async request(
    endpoint: SimulatorEndpoint,
    method: string,
    url: string,
    body: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: Buffer }> {
    const requestHeaders = { 'User-Agent': 'MDM/1.0', ...this.extraHeaders, ...headers };
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers: requestHeaders, body });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new Error(`${method} ${url} failed: ${errorMessage(error)}${cause ? ` (${cause})` : ''}`, {
        cause: error,
      });
    }
    const responseBody = Buffer.from(await response.arrayBuffer());
    this.record({
      endpoint,
      method,
      url,
      status: response.status,
      requestHeaders,
      requestBody: body,
      responseContentType: response.headers.get('content-type'),
      responseBody,
    });
    return { status: response.status, headers: response.headers, body: responseBody };
  }
}

// ---------------------------------------------------------------------------------------------
// Profiles

interface ReadProfile {
  installed: Omit<InstalledProfile, 'isManaged'>;
  payloads: PlistDict[];
}

function snippet(body: Buffer): string {
  const text = body.toString('utf8').trim().slice(0, 200);
  return text === '' ? '' : `: ${text}`;
}

function macFrom(udid: string, salt: string): string {
  const bytes = createHash('sha256').update(`${salt}:${udid}`).digest().subarray(0, 6);
  bytes[0] = (bytes[0] & 0xfc) | 0x02; // locally administered, unicast
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

function profileFailure(code: number, message: string): CommandFailure {
  return new CommandFailure('Error', PROFILE_DOMAIN, code, message);
}

/**
 * Unwraps (CMS attached SignedData, signature checked) or takes as is, parses and validates a
 * configuration profile. Encrypted PayloadContent is decrypted with `identityKeyPem`. Throws a
 * CommandFailure carrying the error iOS would report.
 */
function readProfile(input: Uint8Array, identityKeyPem: string | undefined): ReadProfile {
  let bytes: Buffer = Buffer.from(input);
  let signed = false;
  let signerCertificates: Buffer[] = [];
  if (bytes[0] === 0x30) {
    try {
      const verified = verifySignedData(bytes, { what: 'the profile signature' });
      if (verified.content === undefined)
        throw new CmsError('the signed profile has no content (detached signature)');
      bytes = verified.content;
      signerCertificates = verified.certificates;
      signed = true;
    } catch (error) {
      throw profileFailure(1004, `The profile signature is invalid: ${errorMessage(error)}`);
    }
  }
  let plist: PlistDict;
  try {
    plist = decodePlistDict(bytes, { maxBytes: MAX_SERVER_PLIST_BYTES });
  } catch (error) {
    throw profileFailure(
      1000,
      `The profile is malformed: ${error instanceof PlistError ? error.message : errorMessage(error)}`,
    );
  }
  const missing = (key: string) => profileFailure(1002, `The profile is missing the required field ${key}`);
  if (plist.PayloadType !== 'Configuration') {
    throw profileFailure(
      1000,
      `The profile's PayloadType is ${JSON.stringify(plist.PayloadType)}, not "Configuration"`,
    );
  }
  for (const key of ['PayloadIdentifier', 'PayloadUUID'] as const) {
    if (typeof plist[key] !== 'string' || plist[key] === '') throw missing(key);
  }
  if (typeof plist.PayloadVersion !== 'number') throw missing('PayloadVersion');
  if (plist.PayloadVersion !== 1)
    throw profileFailure(1001, `Unsupported profile PayloadVersion ${plist.PayloadVersion}`);

  let content = plist.PayloadContent;
  let encrypted = false;
  if (plist.EncryptedPayloadContent instanceof Uint8Array) {
    encrypted = true;
    if (identityKeyPem === undefined)
      throw profileFailure(1006, 'Cannot decrypt the profile: the phone has no identity');
    try {
      const opened = openEnvelopedData(
        plist.EncryptedPayloadContent,
        createPrivateKey(identityKeyPem),
        'EncryptedPayloadContent',
      );
      content = decodePlist(opened.content, { maxBytes: MAX_SERVER_PLIST_BYTES });
    } catch (error) {
      throw profileFailure(1006, `Cannot decrypt the profile: ${errorMessage(error)}`);
    }
  }
  if (content === undefined) throw missing('PayloadContent');
  if (!Array.isArray(content)) throw profileFailure(1003, 'The profile PayloadContent is not an array');
  if (content.length === 0) throw profileFailure(1005, 'The profile is empty');
  const payloads: PlistDict[] = [];
  const uuids = new Set<string>([plist.PayloadUUID as string]);
  for (const [i, payload] of content.entries()) {
    if (!isDict(payload)) throw profileFailure(1003, `PayloadContent[${i}] is not a dictionary`);
    for (const key of ['PayloadType', 'PayloadIdentifier', 'PayloadUUID'] as const) {
      if (typeof payload[key] !== 'string' || payload[key] === '')
        throw missing(`PayloadContent[${i}].${key}`);
    }
    if (uuids.has(payload.PayloadUUID as string)) {
      throw profileFailure(1007, `The profile has a duplicate PayloadUUID ${String(payload.PayloadUUID)}`);
    }
    uuids.add(payload.PayloadUUID as string);
    payloads.push(payload);
  }

  const blocked: string[] = [];
  const allowLists: string[][] = [];
  for (const payload of payloads) {
    if (payload.PayloadType !== RESTRICTIONS_TYPE) continue;
    for (const key of ['blockedAppBundleIDs', 'blacklistedAppBundleIDs']) {
      if (payload[key] === undefined) continue;
      if (!Array.isArray(payload[key])) throw profileFailure(1003, `${key} must be an array of strings`);
      blocked.push(...stringList(payload[key]));
    }
    const allow = [payload.allowListedAppBundleIDs, payload.whitelistedAppBundleIDs].filter(
      (list) => list !== undefined,
    );
    for (const list of allow) {
      if (!Array.isArray(list))
        throw profileFailure(1003, 'allowListedAppBundleIDs must be an array of strings');
    }
    if (allow.length > 0) allowLists.push(sortedUnique(allow.flatMap(stringList)));
  }
  const restrictions: ProfileRestrictions = { blockedAppBundleIDs: sortedUnique(blocked) };
  if (allowLists.length > 0) restrictions.allowListedAppBundleIDs = intersect(allowLists);

  const identifier = plist.PayloadIdentifier as string;
  return {
    payloads,
    installed: {
      identifier,
      uuid: plist.PayloadUUID as string,
      displayName: optionalString(plist.PayloadDisplayName) ?? identifier,
      organization: optionalString(plist.PayloadOrganization),
      description: optionalString(plist.PayloadDescription),
      version: plist.PayloadVersion,
      payloadTypes: payloads.map((payload) => payload.PayloadType as string),
      payloads: payloads.map((payload) => ({
        type: payload.PayloadType as string,
        identifier: payload.PayloadIdentifier as string,
        uuid: payload.PayloadUUID as string,
        displayName: optionalString(payload.PayloadDisplayName),
        version: typeof payload.PayloadVersion === 'number' ? payload.PayloadVersion : 1,
      })),
      restrictions,
      signed,
      signerCertificates,
      encrypted,
      removalDisallowed: plist.PayloadRemovalDisallowed === true,
      plist: encrypted ? { ...plist, PayloadContent: content } : plist,
    },
  };
}
