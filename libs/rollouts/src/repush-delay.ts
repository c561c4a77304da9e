/** The longest a silent phone waits between two pushes. */
export const MAX_REPUSH_SECONDS = 24 * 60 * 60;

/**
 * Seconds until the next push of a phone that has been pushed `pushCount` times and stayed silent:
 * base, 2 x base, 4 x base, ... capped at a day. APNs coalesces pushes to an offline phone, so
 * pushing more often only costs certificate reputation.
 */
export function repushDelaySeconds(baseSeconds: number, pushCount: number): number {
  const exponent = Math.max(0, pushCount - 1);
  return Math.min(MAX_REPUSH_SECONDS, baseSeconds * 2 ** Math.min(exponent, 20));
}
