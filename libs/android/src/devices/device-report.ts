import type { AmapiDevice } from '../amapi/amapi-client.js';
import { enterpriseOf, lastSegment } from '../enrollment/policy-name.js';

/*
 * What Rempart keeps of an AMAPI Device, whether it came from a Pub/Sub notification or from
 * devices.list. Pure and total: a field the phone did not report stays null.
 */

export interface AndroidAppReport {
  packageName: string;
  displayName: string | null;
  versionName: string | null;
  /** INSTALLED or REMOVED (removed apps are reported: the policy sets includeRemovedApps). */
  state: string | null;
}

export interface AndroidNonCompliance {
  settingName: string | null;
  nonComplianceReason: string | null;
  packageName: string | null;
  fieldPath: string | null;
}

export interface AndroidDeviceReport {
  /** `enterprises/{e}/devices/{d}` */
  name: string;
  enterpriseName: string;
  /** `{d}`: the device's udid in Rempart. */
  deviceId: string;
  status: 'pending' | 'enrolled' | 'unenrolled';
  enrollmentTokenName: string | null;
  /** EnrollmentToken.additionalData, echoed: Rempart puts its enrollment id there. */
  enrollmentId: string | null;
  policyName: string | null;
  appliedPolicyName: string | null;
  /** int64, kept as a decimal string as AMAPI sends it. */
  appliedPolicyVersion: string | null;
  policyCompliant: boolean | null;
  nonComplianceDetails: AndroidNonCompliance[];
  serialNumber: string | null;
  model: string | null;
  manufacturer: string | null;
  osVersion: string | null;
  securityPatchLevel: string | null;
  enrolledAt: Date | null;
  lastStatusReportAt: Date | null;
  /** False when the report carried no applicationReports at all (the inventory is then kept). */
  appsReported: boolean;
  apps: AndroidAppReport[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT64 = /^-?\d{1,19}$/;

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function date(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** The enrollment id Rempart wrote into the token's additionalData (`{"enrollmentId": "<uuid>"}`). */
export function enrollmentIdFromTokenData(data: unknown): string | null {
  if (typeof data !== 'string') return null;
  try {
    const parsed = JSON.parse(data) as { enrollmentId?: unknown };
    return typeof parsed.enrollmentId === 'string' && UUID.test(parsed.enrollmentId)
      ? parsed.enrollmentId
      : null;
  } catch {
    return null;
  }
}

export class DeviceReportError extends Error {
  override readonly name = 'DeviceReportError';
}

export function toDeviceReport(device: AmapiDevice): AndroidDeviceReport {
  const name = text(device.name);
  const enterpriseName = name ? enterpriseOf(name) : undefined;
  if (!name || !enterpriseName || !/^enterprises\/[^/]+\/devices\/[^/]+$/.test(name)) {
    throw new DeviceReportError(
      `device.name must be enterprises/{e}/devices/{d}, got ${JSON.stringify(device.name)}`,
    );
  }
  const deleted = device.state === 'DELETED' || device.appliedState === 'DELETED';
  const provisioning = device.appliedState === 'PROVISIONING';
  const version = text(device.appliedPolicyVersion);
  return {
    name,
    enterpriseName,
    deviceId: lastSegment(name),
    status: deleted ? 'unenrolled' : provisioning ? 'pending' : 'enrolled',
    enrollmentTokenName: text(device.enrollmentTokenName),
    enrollmentId: enrollmentIdFromTokenData(device.enrollmentTokenData),
    policyName: text(device.policyName),
    appliedPolicyName: text(device.appliedPolicyName),
    appliedPolicyVersion: version && INT64.test(version) ? version : null,
    policyCompliant: typeof device.policyCompliant === 'boolean' ? device.policyCompliant : null,
    nonComplianceDetails: (device.nonComplianceDetails ?? []).map((detail) => ({
      settingName: text(detail.settingName),
      nonComplianceReason: text(detail.nonComplianceReason),
      packageName: text(detail.packageName),
      fieldPath: text(detail.fieldPath),
    })),
    serialNumber: text(device.hardwareInfo?.serialNumber),
    model: text(device.hardwareInfo?.model),
    manufacturer: text(device.hardwareInfo?.manufacturer),
    osVersion: text(device.softwareInfo?.androidVersion),
    securityPatchLevel: text(device.softwareInfo?.securityPatchLevel),
    enrolledAt: date(device.enrollmentTime),
    lastStatusReportAt: date(device.lastStatusReportTime),
    appsReported: Array.isArray(device.applicationReports),
    apps: (device.applicationReports ?? [])
      .filter((report) => text(report.packageName) !== null)
      .map((report) => ({
        packageName: report.packageName!,
        displayName: text(report.displayName),
        versionName: text(report.versionName),
        state: text(report.state),
      })),
  };
}
