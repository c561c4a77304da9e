/**
 * The console's only way to the API. Same origin, so the session cookie rides along
 * (`credentials: 'same-origin'`); mutations carry the CSRF token the server set in the readable
 * `rempart_csrf` cookie (double submit). Bearer-token callers (scripts, the browser tests before
 * sign-in existed) need no CSRF header, and the API ignores it for them.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export const SIGNED_OUT_EVENT = 'rempart:signed-out';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw text sent with this content type instead of JSON (YAML list import). */
  text?: { content: string; contentType: string };
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.text) {
    headers['Content-Type'] = options.text.contentType;
    body = options.text.content;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const csrf = readCookie('rempart_csrf');
  if (csrf && !SAFE_METHODS.has(method)) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    let code: string | undefined;
    let message = response.statusText;
    if (type.includes('json')) {
      const error = (await response.json()) as { code?: string; message?: string };
      code = error.code;
      message = error.message ?? message;
    }
    // The session ended (idle or absolute timeout, sign-out elsewhere): the app shows the sign-in page.
    if (response.status === 401) window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT, { detail: code }));
    throw new ApiError(response.status, code, message);
  }
  if (response.status === 204) return undefined as T;
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** A query string from the defined, non-empty values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
