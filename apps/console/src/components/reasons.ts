import { useT, type MessageKey } from '../i18n/i18n';

const REASON_CODES = new Set([
  'not_enrolled',
  'no_inventory',
  'not_seen',
  'banned_app',
  'inventory_failed',
  'inventory_partial',
  'rollout_in_flight',
  'profile_missing',
  'profile_outdated',
  'policy_not_applied',
  'unsupervised',
]);

/** A device's compliance reasons in the reader's language, with the app or detail each is about. */
export function useDescribeReasons() {
  const t = useT();
  return (reasons: Array<Record<string, unknown>> | null | undefined): string => {
    if (!reasons || reasons.length === 0) return '—';
    return reasons
      .map((r) => {
        const code = String(r.code);
        const label = REASON_CODES.has(code) ? t(`reason.${code}` as MessageKey) : code;
        const about = [r.name ?? r.app, r.detail].find((part) => typeof part === 'string');
        return about ? t('reasons.about', { reason: label, about }) : label;
      })
      .join(t('reasons.separator'));
  };
}
