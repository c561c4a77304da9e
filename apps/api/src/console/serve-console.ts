import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths the API and the operators own: the console never answers there, not even its fallback. */
export const RESERVED_PREFIXES = ['/v1', '/auth', '/docs', '/admin', '/healthz', '/readyz', '/metrics'];

const isReserved = (path: string) =>
  RESERVED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/**
 * The console's build (`npm run build` writes dist/console), found from the repository root whether
 * this file runs compiled (dist/apps/api/src/console) or from source under Jest (apps/api/src/console).
 */
export function consoleDirectory(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const built = join(dir, 'dist', 'console');
      return existsSync(join(built, 'index.html')) ? built : null;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Serves the officers' console at `/`: hashed assets (cached for a year, their names change with
 * their content) and, for any other GET that names text/html outside the reserved prefixes, index.html
 * so that client routes (/policies/x) survive a reload. Helmet's headers (CSP: self-hosted scripts,
 * no inline script) apply as to every answer. Without a build, `/` says how to make one.
 */
export function serveConsole(app: INestApplication, directory = consoleDirectory()): void {
  const server = app.getHttpAdapter().getInstance() as express.Express;
  if (!directory) {
    server.get('/', (_req: Request, res: Response) => {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build`.\n');
    });
    return;
  }
  const assets = express.static(join(directory, 'assets'), {
    index: false,
    fallthrough: false,
    immutable: true,
    maxAge: '365d',
  });
  const index = join(directory, 'index.html');
  server.use('/assets', assets);
  server.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isReserved(req.path)) return next();
    // Only a browser's navigation (it names text/html): API clients keep their JSON 404s.
    if (!req.headers.accept?.includes('text/html')) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index, (error) => {
      if (error) next(error);
    });
  });
}
