import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AuthException, roleSatisfies, TokenAuthenticator } from '#libs/auth';
import { JobQueue } from '#libs/jobs';
import { errorBody } from '#libs/platform';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board's dashboard of every queue, mounted on the api's Express instance behind the same
 * bearer tokens as /v1, admin role only. Mounted as Express middleware rather than through
 * @bull-board/nestjs: that package is CommonJS and require()s @nestjs/common, which NestJS 12 ships
 * as ESM only; Node 20 loads it, but Jest's module loader cannot (see README).
 */
export function mountQueueDashboard(app: INestApplication): void {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: app
      .get(JobQueue)
      .all()
      .map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
    serverAdapter: adapter,
  });
  const authenticator = app.get(TokenAuthenticator);
  const adminOnly = (req: Request, res: Response, next: NextFunction) => {
    authenticator.authenticate(req.header('authorization')).then(
      (principal) => {
        if (roleSatisfies(principal.role, 'admin')) return next();
        const body = errorBody(
          new AuthException(
            'ROLE_INSUFFICIENT',
            `role ${principal.role} may not open the queue dashboard; it needs admin`,
          ),
        );
        res.status(body.statusCode).json(body);
      },
      (error: unknown) => {
        const body = errorBody(error);
        res.status(body.statusCode).json(body);
      },
    );
  };
  app.use(QUEUE_DASHBOARD_PATH, adminOnly, adapter.getRouter());
}
