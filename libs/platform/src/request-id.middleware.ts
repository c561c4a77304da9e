import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { MetricsService } from './metrics.js';
import { requestContext } from './request-context.js';
import { routePattern } from './route-pattern.js';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, else a new UUID), echoes it
 * in the response, runs the rest of the request inside that context, and logs one access line
 * naming the route pattern, not the URL (see routePattern).
 */
export function requestIdMiddleware(logger: Logger, metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: req.method, route: routePattern(req), status: String(res.statusCode) };
      metrics.httpDuration.observe(labels, seconds);
      if (res.statusCode >= 400) metrics.httpErrors.inc(labels);
      logger.info(
        {
          reqId: requestId,
          method: req.method,
          route: labels.route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request completed',
      );
    });
    const length = req.header('content-length');
    const hasBody = req.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
    requestContext.run({ requestId, contentType: req.header('content-type'), hasBody }, next);
  };
}
