import type { Request } from 'express';
import { parseCookie } from 'cookie';

/** The console session's secret; HttpOnly, so page scripts never see it. */
export const SESSION_COOKIE = 'rempart_session';
/** The CSRF token; readable by the page, which sends it back in CSRF_HEADER on every change. */
export const CSRF_COOKIE = 'rempart_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of one cookie of the request, or undefined. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.header('cookie');
  if (!header) return undefined;
  const value = parseCookie(header)[name];
  return value === undefined || value === '' ? undefined : value;
}
