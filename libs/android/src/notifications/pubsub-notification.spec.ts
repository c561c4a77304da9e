import { describe, expect, it } from '@jest/globals';
import { parsePubsubPush } from './pubsub-notification.js';

const push = (type: string | undefined, data: unknown) => ({
  message: {
    attributes: type ? { notificationType: type } : {},
    data: typeof data === 'string' ? data : Buffer.from(JSON.stringify(data)).toString('base64'),
    messageId: 'm1',
  },
  subscription: 'projects/p/subscriptions/s',
});

describe('parsePubsubPush', () => {
  it('decodes STATUS_REPORT and ENROLLMENT to a device and COMMAND to an operation', () => {
    expect(parsePubsubPush(push('STATUS_REPORT', { name: 'enterprises/e/devices/d' }))).toMatchObject({
      kind: 'device',
      type: 'STATUS_REPORT',
      messageId: 'm1',
      device: { name: 'enterprises/e/devices/d' },
    });
    expect(parsePubsubPush(push('COMMAND', { name: 'enterprises/e/devices/d/operations/1' }))).toMatchObject({
      kind: 'command',
    });
  });

  it('acknowledges and ignores other types (usage logs, the test message)', () => {
    expect(parsePubsubPush(push('USAGE_LOGS', 'e30='))).toEqual({
      kind: 'ignored',
      type: 'USAGE_LOGS',
      messageId: 'm1',
    });
    expect(parsePubsubPush(push(undefined, 'e30='))).toMatchObject({ kind: 'ignored', type: 'UNKNOWN' });
  });

  it.each([
    [{}, 'MALFORMED_ENVELOPE'],
    [{ message: { data: 'e30=' } }, 'MALFORMED_ENVELOPE'],
    [push('STATUS_REPORT', '%%%'), 'MALFORMED_DATA'],
    [push('STATUS_REPORT', Buffer.from('not json').toString('base64')), 'MALFORMED_DATA'],
    [push('STATUS_REPORT', { nope: 1 }), 'MALFORMED_DATA'],
  ])('refuses %j with %s', (body, code) => {
    expect(() => parsePubsubPush(body)).toThrow(expect.objectContaining({ code }) as never);
  });
});
