import { FakeAmapi } from '../test/fakes/fake-amapi.js';
import type { FakeAndroidDevice } from '../test/fakes/fake-android-device.js';
import type { ApiClient } from './api-client.js';

/*
 * Google's side of Android Enterprise, locally: a fake Android Management API (with its OAuth token
 * and OIDC certificate endpoints) holding an enterprise, its policies and the simulated phones, which
 * report to Rempart through Pub/Sub-style pushes.
 */
export class DemoAndroidEnterprise {
  readonly enterpriseName: string;
  private follower: NodeJS.Timeout | undefined;

  private constructor(readonly amapi: FakeAmapi) {
    this.enterpriseName = amapi.createEnterprise('DINUM (démo)');
  }

  static async start(): Promise<DemoAndroidEnterprise> {
    return new DemoAndroidEnterprise(await FakeAmapi.start());
  }

  /** What Rempart's processes need to reach this fake instead of Google. */
  env(): Record<string, string> {
    return {
      AMAPI_ROOT_URL: this.amapi.rootUrl,
      AMAPI_PUSH_SERVICE_ACCOUNT: this.amapi.pushServiceAccount,
      GOOGLE_OIDC_CERTS_URL: this.amapi.certsUrl,
      AMAPI_RETRY_BASE_MS: '50',
    };
  }

  /** Notifications go to Rempart's mdm push endpoint, signed as the Pub/Sub service account. */
  pushTo(mdmUrl: string): void {
    this.amapi.pushTo({ url: `${mdmUrl}/android/notifications` });
  }

  /** The admin binds the existing enterprise with the Cloud project's service-account key. */
  async bind(api: ApiClient): Promise<void> {
    await api.put('/v1/android/enterprise', {
      enterpriseName: this.enterpriseName,
      serviceAccountKey: this.amapi.serviceAccountKey(),
    });
  }

  /** A phone's setup wizard scans the enrollment QR code (holding this token) and enrolls. */
  enroll(
    token: string,
    apps: Array<{ packageName: string; versionName?: string; displayName?: string }>,
    keepsBlockedApps: boolean,
  ): FakeAndroidDevice {
    return this.amapi.enrollDevice(token, { apps, keepsBlockedApps });
  }

  /** Every phone applies its policy and reports; resolves once Rempart has taken the reports. */
  async syncPhones(): Promise<void> {
    this.amapi.syncDevices();
    await this.amapi.flushPushes();
  }

  /**
   * As Google tells a phone its policy changed: whenever a policy's version moves, the phones sync
   * (uninstall what it blocks) and report.
   */
  followPolicyChanges(intervalMs = 300): void {
    let seen = this.policyVersions();
    this.follower = setInterval(() => {
      const now = this.policyVersions();
      if (now === seen) return;
      seen = now;
      this.amapi.syncDevices();
    }, intervalMs);
  }

  get phones(): FakeAndroidDevice[] {
    return [...this.amapi.devices.values()];
  }

  async stop(): Promise<void> {
    clearInterval(this.follower);
    await this.amapi.stop();
  }

  private policyVersions(): string {
    return [...this.amapi.policies.values()].map((p) => `${p.name}@${p.version}`).join(',');
  }
}
