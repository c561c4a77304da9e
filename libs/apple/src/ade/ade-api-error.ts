/**
 * What went wrong with a Device Assignment API call, classified as apple-ade.md §2.5 and §3.4 say
 * (the body is a plain code such as `T_C_NOT_SIGNED`; Apple's simulator quotes it, so match by
 * "contains").
 */
export type AdeErrorKind =
  /** 403 T_C_NOT_SIGNED: the organisation must accept the new terms in ABM; stop until then. */
  | 'terms_not_signed'
  /** The token was revoked, replaced or does not authenticate: an administrator must upload a new one. */
  | 'token_rejected'
  /** 403 ACCESS_DENIED: this MDM server may not make this request. */
  | 'access_denied'
  /** 429 after the client's own retries. */
  | 'rate_limited'
  /** 5xx (or no answer) after the client's own retries: Apple's fault, try again later. */
  | 'server_error'
  | 'cursor_expired'
  | 'cursor_exhausted'
  | 'cursor_invalid'
  /** Any other 4xx: a request Rempart should not have sent. */
  | 'bad_request';

export class AdeApiError extends Error {
  override readonly name = 'AdeApiError';
  constructor(
    readonly kind: AdeErrorKind,
    readonly status: number,
    /** Apple's code from the body (e.g. `EXPIRED_CURSOR`), or the body itself, trimmed. */
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The code Apple put in an error body: plain text, sometimes quoted, sometimes JSON. */
export function errorCode(body: string): string {
  const text = body.trim().replace(/^"|"$/g, '');
  try {
    const json = JSON.parse(body) as { error?: unknown; code?: unknown };
    if (typeof json === 'object' && json !== null) {
      const code = json.code ?? json.error;
      if (typeof code === 'string') return code;
    }
  } catch {
    // plain text, the usual case
  }
  return text.slice(0, 200);
}

const has = (code: string, ...needles: string[]) => needles.some((n) => code.includes(n));

/** Classifies a final (not retried) error answer. */
export function classifyAdeError(status: number, code: string, path: string): AdeApiError {
  const where = `${path} answered ${status} ${code || '(empty body)'}`;
  if (has(code, 'T_C_NOT_SIGNED')) {
    return new AdeApiError(
      'terms_not_signed',
      status,
      'T_C_NOT_SIGNED',
      `${where}: accept the new terms and conditions in Apple Business Manager, then sync again`,
    );
  }
  if (status === 401 || has(code, 'token_rejected', 'signature_invalid', 'FORBIDDEN', 'UNAUTHORIZED')) {
    return new AdeApiError(
      'token_rejected',
      status,
      code,
      `${where}: the server token was revoked or replaced in Apple Business Manager; download a new token and upload it`,
    );
  }
  if (has(code, 'ACCESS_DENIED')) {
    return new AdeApiError('access_denied', status, code, `${where}: this MDM server may not do this in ABM`);
  }
  if (status === 429)
    return new AdeApiError('rate_limited', status, code, `${where}: Apple asks to slow down`);
  if (status >= 500) return new AdeApiError('server_error', status, code, `${where}: Apple-side failure`);
  if (has(code, 'EXPIRED_CURSOR')) return new AdeApiError('cursor_expired', status, code, where);
  if (has(code, 'EXHAUSTED_CURSOR')) return new AdeApiError('cursor_exhausted', status, code, where);
  if (has(code, 'INVALID_CURSOR', 'CURSOR_REQUIRED'))
    return new AdeApiError('cursor_invalid', status, code, where);
  return new AdeApiError('bad_request', status, code, where);
}
