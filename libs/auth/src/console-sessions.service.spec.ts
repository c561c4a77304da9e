import { describe, expect, it } from '@jest/globals';
import { idleDeadline } from './console-sessions.service.js';

describe('idleDeadline: when a console session ends if nobody uses it again', () => {
  const signedIn = new Date('2026-12-01T08:00:00Z');
  const expiresAt = new Date('2026-12-01T20:00:00Z');

  it('is the idle timeout after the last recorded use', () => {
    const lastSeenAt = new Date('2026-12-01T10:15:00Z');
    expect(idleDeadline({ lastSeenAt, expiresAt }, 1800)).toEqual(new Date('2026-12-01T10:45:00Z'));
    expect(idleDeadline({ lastSeenAt: signedIn, expiresAt }, 60)).toEqual(new Date('2026-12-01T08:01:00Z'));
  });

  it('is never later than the absolute end', () => {
    const lastSeenAt = new Date('2026-12-01T19:50:00Z');
    expect(idleDeadline({ lastSeenAt, expiresAt }, 1800)).toEqual(expiresAt);
    expect(idleDeadline({ lastSeenAt: new Date('2026-12-01T19:30:00Z'), expiresAt }, 1800)).toEqual(
      expiresAt,
    );
  });
});
