import { describe, expect, it } from '@jest/globals';
import type { AdeAccountEntity } from '#libs/persistence';
import { adeAccountView } from './ade-account-view.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const now = new Date('2026-12-01T12:00:00Z');
const account = (changes: Partial<AdeAccountEntity> = {}) =>
  ({
    encryptedCredentials: 'v1:...',
    tokenUploadedAt: new Date(now.getTime() - 300 * DAY_MS),
    tokenExpiresAt: new Date(now.getTime() + 65 * DAY_MS),
    blockingState: null,
    orgName: 'DINUM',
    serverName: 'Rempart',
    serverUuid: 'ABC',
    adminId: 'admin@dinum.gouv.fr',
    assignmentRules: [],
    skipSetupItems: ['Siri'],
    lastSyncAt: null,
    lastSyncError: null,
    ...changes,
  }) as AdeAccountEntity;

describe('GET /v1/apple/ade view', () => {
  it('is quiet until 30 days before the token expires, then says to renew it, then that it expired', () => {
    expect(adeAccountView(account(), 'agents', now)).toMatchObject({
      state: 'active',
      token: { warning: null, expiresInDays: 65 },
    });
    const soon = adeAccountView(
      account({ tokenExpiresAt: new Date(now.getTime() + 12 * DAY_MS) }),
      'agents',
      now,
    );
    expect(soon).toMatchObject({ state: 'active', token: { expiresInDays: 12 } });
    expect(soon.token!.warning).toMatch(/expires in 12 days.*download a new one in Apple Business Manager/);
    const expired = adeAccountView(
      account({ tokenExpiresAt: new Date(now.getTime() - DAY_MS) }),
      'agents',
      now,
    );
    expect(expired).toMatchObject({ state: 'token_expired', message: expect.stringMatching(/expired/) });
  });

  it('puts a blocking state Apple reported first, with what to do', () => {
    expect(adeAccountView(account({ blockingState: 'terms_not_signed' }), null, now)).toMatchObject({
      state: 'terms_not_signed',
      message: expect.stringMatching(/accept the new terms/),
    });
    expect(
      adeAccountView(
        account({ encryptedCredentials: null, tokenExpiresAt: null, tokenUploadedAt: null }),
        null,
        now,
      ),
    ).toMatchObject({
      state: 'awaiting_token',
      token: null,
    });
  });
});
