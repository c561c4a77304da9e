/*
 * A simulated Android phone managed by Android Device Policy, as the fake AMAPI keeps it: it
 * enrolls with a token, applies its policy (a BLOCKED package is uninstalled; until then, or for a
 * phone told to refuse, it shows as APP_INSTALLED non-compliance) and reports its apps.
 */

export interface FakeApp {
  packageName: string;
  versionName?: string;
  displayName?: string;
  state: 'INSTALLED' | 'REMOVED';
}

export interface FakePolicy {
  name: string;
  version: number;
  body: Record<string, unknown>;
}

export interface FakeDeviceOptions {
  apps?: Array<{ packageName: string; versionName?: string; displayName?: string }>;
  model?: string;
  manufacturer?: string;
  serialNumber?: string;
  androidVersion?: string;
  securityPatchLevel?: string;
  /** A phone that keeps blocked apps (stuck uninstall, user action needed): stays non-compliant. */
  keepsBlockedApps?: boolean;
}

export class FakeAndroidDevice {
  readonly apps: FakeApp[];
  appliedPolicyVersion: number | null = null;
  appliedPolicyName: string | null = null;
  policyCompliant = false;
  nonComplianceDetails: Array<Record<string, unknown>> = [];
  lastStatusReportTime: string;
  state: 'ACTIVE' | 'DELETED' = 'ACTIVE';

  constructor(
    readonly name: string,
    public policyName: string,
    readonly enrollmentTokenName: string,
    readonly enrollmentTokenData: string | undefined,
    readonly enrollmentTime: string,
    private readonly options: FakeDeviceOptions,
  ) {
    this.apps = (options.apps ?? []).map((app) => ({ ...app, state: 'INSTALLED' as const }));
    this.lastStatusReportTime = enrollmentTime;
  }

  private blockedPackages(policy: FakePolicy): Array<{ packageName: string; index: number }> {
    const applications = (policy.body.applications ?? []) as Array<{
      packageName?: string;
      installType?: string;
    }>;
    return applications
      .map((app, index) => ({ packageName: app.packageName ?? '', index, installType: app.installType }))
      .filter((app) => app.installType === 'BLOCKED');
  }

  /**
   * One policy sync. With `uninstall` false the phone has received the policy but not yet removed
   * the blocked apps (what its first status report after enrollment shows).
   */
  apply(policy: FakePolicy, now: Date, uninstall = true): void {
    this.appliedPolicyName = policy.name;
    this.appliedPolicyVersion = policy.version;
    this.nonComplianceDetails = [];
    for (const blocked of this.blockedPackages(policy)) {
      const app = this.apps.find((a) => a.packageName === blocked.packageName && a.state === 'INSTALLED');
      if (!app) continue;
      if (uninstall && !this.options.keepsBlockedApps) {
        app.state = 'REMOVED';
      } else {
        this.nonComplianceDetails.push({
          settingName: 'applications',
          nonComplianceReason: 'APP_INSTALLED',
          packageName: blocked.packageName,
          fieldPath: `applications[${blocked.index}]`,
        });
      }
    }
    this.policyCompliant = this.nonComplianceDetails.length === 0;
    this.lastStatusReportTime = now.toISOString();
  }

  install(packageName: string, versionName = '1.0'): void {
    const existing = this.apps.find((a) => a.packageName === packageName);
    if (existing) existing.state = 'INSTALLED';
    else this.apps.push({ packageName, versionName, state: 'INSTALLED' });
  }

  /** The AMAPI Device resource, as devices.get, devices.list and notifications carry it. */
  toResource(reportApps: boolean): Record<string, unknown> {
    return {
      name: this.name,
      managementMode: 'DEVICE_OWNER',
      ownership: 'COMPANY_OWNED',
      state: this.state,
      appliedState: this.state,
      policyName: this.policyName,
      ...(this.appliedPolicyName ? { appliedPolicyName: this.appliedPolicyName } : {}),
      ...(this.appliedPolicyVersion !== null
        ? { appliedPolicyVersion: String(this.appliedPolicyVersion) }
        : {}),
      policyCompliant: this.policyCompliant,
      ...(this.nonComplianceDetails.length ? { nonComplianceDetails: this.nonComplianceDetails } : {}),
      enrollmentTime: this.enrollmentTime,
      enrollmentTokenName: this.enrollmentTokenName,
      ...(this.enrollmentTokenData !== undefined ? { enrollmentTokenData: this.enrollmentTokenData } : {}),
      lastStatusReportTime: this.lastStatusReportTime,
      hardwareInfo: {
        brand: this.options.manufacturer ?? 'Google',
        manufacturer: this.options.manufacturer ?? 'Google',
        model: this.options.model ?? 'Pixel 8',
        serialNumber:
          this.options.serialNumber ?? this.name.slice(this.name.lastIndexOf('/') + 1).toUpperCase(),
      },
      softwareInfo: {
        androidVersion: this.options.androidVersion ?? '15',
        securityPatchLevel: this.options.securityPatchLevel ?? '2026-10-05',
      },
      ...(reportApps
        ? {
            applicationReports: this.apps.map((app) => ({
              packageName: app.packageName,
              versionName: app.versionName ?? '1.0',
              ...(app.displayName ? { displayName: app.displayName } : {}),
              state: app.state,
              applicationSource: 'INSTALLED_FROM_PLAY_STORE',
            })),
          }
        : {}),
    };
  }
}
