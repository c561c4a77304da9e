import type { Request } from 'express';

/**
 * The route a request matched, as declared (`/mdm/enroll/:token`), never the URL it came with:
 * URLs carry secrets (enrollment tokens, SCEP messages in query strings) and must not reach logs
 * or metric labels. `unmatched` when no route took the request.
 */
export function routePattern(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl ?? ''}${route}` : 'unmatched';
}
