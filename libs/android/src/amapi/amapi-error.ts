/** A failed AMAPI call, with Google's error body boiled down to what logs and callers need. */
export class AmapiError extends Error {
  override readonly name = 'AmapiError';
  constructor(
    /** HTTP status, or 0 when no response came back (connection refused, reset, timeout). */
    readonly status: number,
    /** Google's `error.status` (e.g. `RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`) or the network error code. */
    readonly reason: string,
    message: string,
    /** Seconds the server asked us to wait (Retry-After), if it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** 429 and 5xx are worth retrying, as are network failures; any other 4xx is our mistake. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

interface GaxiosLikeError {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: { get?(name: string): string | null } };
}

/** Turns whatever the Google client threw into an AmapiError (already one: returned as is). */
export function toAmapiError(error: unknown): AmapiError {
  if (error instanceof AmapiError) return error;
  const e = (error ?? {}) as GaxiosLikeError;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : 0);
  const body = e.response?.data as { error?: { status?: string; message?: string } | string } | undefined;
  const googleError = typeof body?.error === 'object' ? body.error : undefined;
  const reason =
    googleError?.status ??
    (typeof body?.error === 'string' ? body.error : undefined) ??
    (status === 0 ? String(e.code ?? 'NETWORK_ERROR') : `HTTP_${status}`);
  const message = googleError?.message ?? e.message ?? 'AMAPI request failed';
  const retryAfterHeader = e.response?.headers?.get?.('retry-after');
  const retryAfter = retryAfterHeader ? Number(retryAfterHeader) : Number.NaN;
  return new AmapiError(
    status,
    reason,
    message,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
  );
}
