import type { AmapiDevice, AmapiOperation } from '../amapi/amapi-client.js';

/*
 * AMAPI notifications arrive as Pub/Sub push requests:
 *   {"message": {"data": "<base64 JSON>", "attributes": {"notificationType": "STATUS_REPORT"},
 *                "messageId": "...", "publishTime": "..."}, "subscription": "projects/p/subscriptions/s"}
 * ENROLLMENT and STATUS_REPORT carry a Device, COMMAND an Operation. Other types (USAGE_LOGS,
 * ENTERPRISE_UPGRADE, the test message sent when notifications are configured) are acknowledged
 * and ignored.
 */

export type AndroidNotification =
  | { kind: 'device'; type: 'ENROLLMENT' | 'STATUS_REPORT'; messageId: string; device: AmapiDevice }
  | { kind: 'command'; type: 'COMMAND'; messageId: string; operation: AmapiOperation }
  | { kind: 'ignored'; type: string; messageId: string };

export class NotificationError extends Error {
  override readonly name = 'NotificationError';
  constructor(
    readonly code: 'MALFORMED_ENVELOPE' | 'MALFORMED_DATA',
    message: string,
  ) {
    super(message);
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parsePubsubPush(body: unknown): AndroidNotification {
  if (!isObject(body) || !isObject(body.message)) {
    throw new NotificationError('MALFORMED_ENVELOPE', 'message: the body is not a Pub/Sub push envelope');
  }
  const message = body.message;
  const messageId = message.messageId ?? message.message_id;
  if (typeof messageId !== 'string' || messageId === '' || messageId.length > 200) {
    throw new NotificationError('MALFORMED_ENVELOPE', 'message.messageId: missing');
  }
  const attributes = isObject(message.attributes) ? message.attributes : {};
  const type = typeof attributes.notificationType === 'string' ? attributes.notificationType : 'UNKNOWN';
  if (type !== 'ENROLLMENT' && type !== 'STATUS_REPORT' && type !== 'COMMAND') {
    return { kind: 'ignored', type, messageId };
  }
  if (typeof message.data !== 'string' || message.data === '' || !BASE64.test(message.data)) {
    throw new NotificationError('MALFORMED_DATA', 'message.data: not base64');
  }
  let resource: unknown;
  try {
    resource = JSON.parse(Buffer.from(message.data, 'base64').toString('utf8'));
  } catch {
    throw new NotificationError('MALFORMED_DATA', 'message.data: the decoded data is not JSON');
  }
  if (!isObject(resource) || typeof resource.name !== 'string') {
    throw new NotificationError(
      'MALFORMED_DATA',
      `message.data: a ${type} notification must carry a resource with a name`,
    );
  }
  if (type === 'COMMAND') return { kind: 'command', type, messageId, operation: resource as AmapiOperation };
  return { kind: 'device', type, messageId, device: resource as AmapiDevice };
}
