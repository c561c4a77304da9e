import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { errorBody } from './http-exception.filter.js';
import { inputGuardMiddleware } from './input-guard.middleware.js';
import { PinoNestLogger } from './logger.js';
import { MetricsService } from './metrics.js';
import { requestIdMiddleware } from './request-id.middleware.js';
import { createValidationPipe } from './validation.js';

export interface HttpAppOptions {
  logger: Logger;
  /** Body parsers this app accepts, each with its own size limit; a failure is a JSON 4xx. */
  bodyParsers: RequestHandler[];
  openApi?: {
    title: string;
    description: string;
    version: string;
    /** The operation groups, in the order the document lists them, each with what it is for. */
    tags?: Array<{ name: string; description: string }>;
  };
  /** Express `trust proxy` (TRUST_PROXY): whose X-Forwarded-For gives the client address. Empty: nobody's. */
  trustProxy?: string;
}

/**
 * Every answer of ours may carry a secret or an officer's data (tokens, enrollment tokens, keys,
 * profiles, device inventories), so no browser or proxy keeps a copy unless a route says otherwise.
 */
function noStore(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** Body parser errors happen before Nest routes a request, so they get the JSON error shape here. */
function guardParser(parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (error?: unknown) => {
      if (!error) return next();
      const body = errorBody(error);
      res.status(body.statusCode).json(body);
    });
}

export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    bodyParser: false,
    logger: new PinoNestLogger(options.logger),
  });
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', options.trustProxy);
  // Security headers (CSP, HSTS, nosniff, frame-ancestors none, no referrer...), on api and mdm alike.
  app.use(helmet());
  app.use(noStore);
  app.use(requestIdMiddleware(options.logger, app.get(MetricsService)));
  for (const parser of options.bodyParsers) app.use(guardParser(parser));
  app.use(inputGuardMiddleware());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  if (options.openApi) {
    const builder = new DocumentBuilder();
    for (const tag of options.openApi.tags ?? []) builder.addTag(tag.name, tag.description);
    const document = SwaggerModule.createDocument(
      app,
      builder
        .setTitle(options.openApi.title)
        .setDescription(options.openApi.description)
        .setVersion(options.openApi.version)
        .addBearerAuth(
          {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'opaque',
            description:
              'An opaque officer token (not a JWT): issued by the CLI (`officer create`) or by `POST /v1/officers/{id}/tokens`, shown once, stored hashed.',
          },
          'bearer',
        )
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  }
  return app;
}

export const jsonBody = (limitBytes: number) => express.json({ limit: limitBytes, strict: true });

/** YAML bodies (list import) arrive as text; the catalog library parses them. */
export const yamlBody = (limitBytes: number) =>
  express.text({ limit: limitBytes, type: ['application/yaml', 'application/x-yaml', 'text/yaml'] });

/** An ABM server token (`PUT /v1/apple/ade/token`) arrives as the downloaded S/MIME text. */
export const smimeBody = (limitBytes: number) =>
  express.text({
    limit: limitBytes,
    type: ['application/pkcs7-mime', 'application/x-pkcs7-mime', 'text/plain'],
  });
