import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"type":"device.non_compliant"}';

  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, with a version prefix', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1_700_000_000, body)).toBe(`v1=${expected}`);
  });

  it('verifies a fresh signature and refuses another body, secret, timestamp or an old request', () => {
    const now = 1_700_000_000;
    const signature = signWebhook(secret, now, body);
    const headers = { timestamp: String(now), signature };
    expect(verifyWebhook(secret, headers, body, { now })).toBe(true);
    expect(verifyWebhook(secret, headers, body.replace('non_', ''), { now })).toBe(false);
    expect(verifyWebhook('other', headers, body, { now })).toBe(false);
    expect(verifyWebhook(secret, { ...headers, timestamp: String(now + 1) }, body, { now })).toBe(false);
    expect(verifyWebhook(secret, headers, body, { now: now + 301 })).toBe(false);
    expect(verifyWebhook(secret, { timestamp: undefined, signature }, body, { now })).toBe(false);
  });
});
