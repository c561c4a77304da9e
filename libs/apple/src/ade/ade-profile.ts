import { createHash } from 'node:crypto';
import { AdeInputError } from './ade-error.js';

/** Setup Assistant panes an iPhone can skip (device-management other/skipkeys.yaml; apple-ade.md §3.5). */
export const IOS_SKIP_SETUP_ITEMS: readonly string[] = Object.freeze([
  'ActionButton',
  'Android',
  'Appearance',
  'AppleID',
  'AppStore',
  'Biometric',
  'CameraButton',
  'DeviceToDeviceMigration',
  'Diagnostics',
  'EnableLockdownMode',
  'iMessageAndFaceTime',
  'Intelligence',
  'Keyboard',
  'Location',
  'MessagingActivationUsingPhoneNumber',
  'Passcode',
  'Payment',
  'Privacy',
  'Restore',
  'RestoreCompleted',
  'Safety',
  'ScreenTime',
  'SIMSetup',
  'Siri',
  'SoftwareUpdate',
  'SpokenLanguage',
  'TermsOfAddress',
  'TOS',
  'UpdateCompleted',
  'WatchMigration',
  'Welcome',
]);

/** What a government phone usually skips: personal accounts, payment, Siri, migration from a personal phone. */
export const DEFAULT_SKIP_SETUP_ITEMS: readonly string[] = Object.freeze([
  'AppleID',
  'Payment',
  'Siri',
  'iMessageAndFaceTime',
  'Android',
  'DeviceToDeviceMigration',
  'Restore',
  'ScreenTime',
  'Diagnostics',
]);

/** The ADE profile JSON of `POST /profile`. */
export interface AdeProfile {
  profile_name: string;
  url: string;
  is_supervised: boolean;
  is_mandatory: boolean;
  is_mdm_removable: boolean;
  await_device_configured: boolean;
  skip_setup_items: string[];
  org_magic: string;
  department?: string;
  support_email_address?: string;
  devices?: string[];
}

export interface AdeProfileOptions {
  organization: string;
  /** Rempart's ADE enrollment URL, with the tenant's unguessable token. */
  url: string;
  skipSetupItems: readonly string[];
  supportEmail?: string;
}

/** Refuses skip keys iOS does not know, so a typo is an officer's 400, not Apple's silent ignore. */
export function validateSkipSetupItems(items: readonly string[]): string[] {
  const unknown = items.filter((item) => !IOS_SKIP_SETUP_ITEMS.includes(item));
  if (unknown.length > 0) {
    throw new AdeInputError(
      'PROFILE_INVALID',
      `skipSetupItems: ${unknown.map((u) => JSON.stringify(u)).join(', ')} not an iOS Setup Assistant pane (one of ${IOS_SKIP_SETUP_ITEMS.join(', ')})`,
    );
  }
  return [...new Set(items)].sort();
}

/**
 * The profile Rempart defines: supervised, mandatory, not removable (which Apple accepts only with
 * is_supervised: FLAGS_INVALID otherwise; written explicitly, never left to a default), and holding
 * Setup Assistant until Rempart sends DeviceConfigured, so the ban is on before the user gets in.
 */
export function buildAdeProfile(options: AdeProfileOptions): AdeProfile {
  const profile: AdeProfile = {
    profile_name: `Rempart - ${options.organization}`.slice(0, 125),
    url: options.url,
    is_supervised: true,
    is_mandatory: true,
    is_mdm_removable: false,
    await_device_configured: true,
    skip_setup_items: validateSkipSetupItems(options.skipSetupItems),
    org_magic: 'rempart',
    department: options.organization.slice(0, 125),
  };
  if (options.supportEmail) profile.support_email_address = options.supportEmail;
  return profile;
}

/** A fingerprint of the profile: when it changes, Rempart defines a new one at Apple. */
export function adeProfileFingerprint(profile: AdeProfile): string {
  return createHash('sha256').update(JSON.stringify(profile)).digest('hex');
}
