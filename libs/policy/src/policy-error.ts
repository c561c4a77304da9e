export type PolicyErrorCode =
  | 'INVALID_POLICY'
  | 'UNKNOWN_APP'
  | 'LIST_KIND_MISMATCH'
  | 'INVALID_IDENTIFIER'
  | 'FORCE_INSTALL_WITHOUT_ANDROID_PACKAGE'
  | 'POLICY_RESOLVES_TO_NOTHING'
  | PolicyConflictCode;

export type PolicyConflictCode = 'APP_BOTH_BLOCKED_AND_ALLOWED' | 'APP_BOTH_BLOCKED_AND_FORCE_INSTALLED';

/** A policy that cannot be resolved to a BanSpec. `message` names the app, identifier or list at fault. */
export class PolicyError extends Error {
  override readonly name: string = 'PolicyError';

  constructor(
    readonly code: PolicyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One app or identifier that two lists disagree on. */
export interface PolicyConflict {
  /** `app`: a catalog slug; `ios`: a bundle ID; `android`: a package name. */
  type: 'app' | 'ios' | 'android';
  value: string;
  /** Slugs of the block lists that block it. */
  blockedBy: string[];
  /** Slugs of the allow lists that allow it (or `forceInstall` for a force-installed app). */
  allowedBy: string[];
}

/** The same app or identifier is both blocked and allowed (or force-installed). Lists every conflict. */
export class PolicyConflictError extends PolicyError {
  override readonly name = 'PolicyConflictError';

  constructor(
    override readonly code: PolicyConflictCode,
    readonly conflicts: PolicyConflict[],
  ) {
    super(code, conflictMessage(code, conflicts));
  }
}

function conflictMessage(code: PolicyConflictCode, conflicts: PolicyConflict[]): string {
  const what = code === 'APP_BOTH_BLOCKED_AND_ALLOWED' ? 'allowed' : 'force-installed';
  const parts = conflicts.map((c) => {
    const subject =
      c.type === 'app'
        ? `app '${c.value}'`
        : c.type === 'ios'
          ? `iOS bundle ID '${c.value}'`
          : `Android package '${c.value}'`;
    return `${subject} is blocked by ${lists(c.blockedBy)} and ${what} by ${lists(c.allowedBy)}`;
  });
  return `policy conflict: ${parts.join('; ')}`;
}

function lists(slugs: string[]): string {
  return slugs.map((s) => (s === 'forceInstall' ? 'forceInstall' : `list '${s}'`)).join(', ');
}
