import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { TooManyAuthFailures } from './auth-failure-limiter.js';
import { DomainException } from './domain.exception.js';
import { currentRequestId } from './request-context.js';
import { routePattern } from './route-pattern.js';
import { ValidationFailed, type FieldError } from './validation.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  requestId?: string;
  /** Validation failures only: each field and what to fix (`message` joins them). */
  errors?: FieldError[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Errors raised by body parsers (express.json, express.raw) before any route runs. */
function bodyParserError(exception: unknown): { status: number; message: string } | undefined {
  const e = exception as { type?: string; status?: number; limit?: number; message?: string };
  if (!e || typeof e.type !== 'string' || typeof e.status !== 'number') return undefined;
  switch (e.type) {
    case 'entity.parse.failed':
      return { status: 400, message: `Malformed JSON body: ${e.message}` };
    case 'entity.too.large':
      return { status: 413, message: `Request body is larger than the limit of ${e.limit} bytes` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: e.message ?? 'Unsupported body encoding' };
    default:
      return e.status >= 400 && e.status < 500
        ? { status: e.status, message: e.message ?? 'Bad request' }
        : undefined;
  }
}

/**
 * A value PostgreSQL refused as data (SQLSTATE class 22: out of range, invalid text for a uuid or a
 * number, NUL in text, datetime overflow). Only input can cause one, so it is the caller's 400, not a
 * fault: a safety net behind validation, which should have named the field first.
 */
function postgresDataException(exception: unknown): string | undefined {
  const driverError = (exception as { driverError?: { code?: unknown; message?: unknown } } | null)
    ?.driverError;
  if (typeof driverError?.code !== 'string' || !driverError.code.startsWith('22')) return undefined;
  return `a value is not acceptable: ${String(driverError.message ?? 'invalid data').slice(0, 200)}`;
}

/**
 * One JSON error shape for every failure: `{statusCode, error, message}` (contract.md), plus the
 * domain `code` and the request id. Caller mistakes are logged at info; only real faults at error.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const body = errorBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, method: request.method, route: routePattern(request) },
        `Unhandled error on ${request.method} ${routePattern(request)}`,
      );
    } else {
      const route = routePattern(request);
      this.logger.log({
        method: request.method,
        route,
        statusCode: body.statusCode,
        // Express's 404 message repeats the URL, which may carry a token: the route says enough.
        message: route === 'unmatched' ? 'no route matches the request' : body.message,
      });
    }
    if (response.headersSent) return;
    if (exception instanceof TooManyAuthFailures) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    response.status(body.statusCode).json(body);
  }
}

/** The contract's error body for any thrown value. */
export function errorBody(exception: unknown): ErrorBody {
  const requestId = currentRequestId();
  if (exception instanceof DomainException) {
    return {
      statusCode: exception.status,
      error: REASONS[exception.status],
      message: exception.message,
      code: exception.code,
      requestId,
      ...(exception instanceof ValidationFailed ? { errors: exception.errors } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    let message: string = exception.message;
    if (typeof res === 'object' && res !== null && 'message' in res) {
      const m = (res as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    return {
      statusCode: status,
      error: REASONS[status] ?? HttpStatus[status] ?? 'Error',
      message,
      requestId,
    };
  }
  const dataError = postgresDataException(exception);
  if (dataError)
    return { statusCode: 400, error: REASONS[400], message: dataError, code: 'INVALID_VALUE', requestId };
  const parsed = bodyParserError(exception);
  if (parsed)
    return {
      statusCode: parsed.status,
      error: REASONS[parsed.status] ?? 'Bad Request',
      message: parsed.message,
      requestId,
    };
  return { statusCode: 500, error: REASONS[500], message: 'Internal server error', requestId };
}
