import type { AdeAccountEntity, AdeAssignmentRule } from '#libs/persistence';

/** Warn this long before the ABM server token expires (a year after it was downloaded). */
export const ADE_TOKEN_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type AdeState = 'awaiting_token' | 'active' | 'terms_not_signed' | 'token_rejected' | 'token_expired';

export interface AdeAccountView {
  state: AdeState;
  /** What the officer should do, when something blocks ADE. */
  message: string | null;
  account: {
    organisation: string | null;
    serverName: string | null;
    serverUuid: string | null;
    adminId: string | null;
  };
  token: { uploadedAt: Date; expiresAt: Date; expiresInDays: number; warning: string | null } | null;
  defaultGroup: string | null;
  rules: AdeAssignmentRule[];
  skipSetupItems: string[];
  lastSyncAt: Date | null;
  lastSyncError: string | null;
}

/** What `GET /v1/apple/ade` shows: the state Apple last reported and what the officer should do about it. */
export function adeAccountView(
  account: AdeAccountEntity,
  defaultGroupSlug: string | null,
  now = new Date(),
): AdeAccountView {
  let token: AdeAccountView['token'] = null;
  let state: AdeState = account.encryptedCredentials ? 'active' : 'awaiting_token';
  let message: string | null = account.encryptedCredentials
    ? null
    : 'upload the certificate from GET /v1/apple/ade/certificate to a new MDM server in Apple Business Manager, download its token and PUT it to /v1/apple/ade/token';
  if (account.tokenExpiresAt && account.tokenUploadedAt) {
    const expiresInDays = Math.floor((account.tokenExpiresAt.getTime() - now.getTime()) / DAY_MS);
    let warning: string | null = null;
    if (expiresInDays < 0) {
      state = 'token_expired';
      warning =
        message = `the ABM server token expired on ${account.tokenExpiresAt.toISOString()}: download a new one in Apple Business Manager and upload it`;
    } else if (expiresInDays <= ADE_TOKEN_WARNING_DAYS) {
      warning = `the ABM server token expires in ${expiresInDays} days (${account.tokenExpiresAt.toISOString()}): download a new one in Apple Business Manager and upload it`;
    }
    token = {
      uploadedAt: account.tokenUploadedAt,
      expiresAt: account.tokenExpiresAt,
      expiresInDays,
      warning,
    };
  }
  if (account.blockingState === 'terms_not_signed') {
    state = 'terms_not_signed';
    message =
      'accept the new terms and conditions in Apple Business Manager: Apple refuses every request until then';
  } else if (account.blockingState === 'token_rejected') {
    state = 'token_rejected';
    message =
      'Apple rejects the server token (revoked, replaced, or its ABM account changed): download a new token in Apple Business Manager and upload it';
  }
  return {
    state,
    message,
    account: {
      organisation: account.orgName,
      serverName: account.serverName,
      serverUuid: account.serverUuid,
      adminId: account.adminId,
    },
    token,
    defaultGroup: defaultGroupSlug,
    rules: account.assignmentRules,
    skipSetupItems: account.skipSetupItems,
    lastSyncAt: account.lastSyncAt,
    lastSyncError: account.lastSyncError,
  };
}
