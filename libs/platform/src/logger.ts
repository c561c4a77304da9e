import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

/** Structured JSON logs on stdout; every line logged during a request carries its `reqId`. */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const reqId = currentRequestId();
        return reqId ? { reqId } : {};
      },
      redact: {
        paths: ['req.headers.authorization', '*.password', '*.privateKey', '*.token'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination(1),
  );
}

/** Lets Nest's own logging (and `new Logger(Context)` in services) go through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  /**
   * Nest calls `logger.warn(message, ...params, context)`. Rempart code logs pino-style through it:
   * `logger.warn({ fields }, 'message')`, which arrives as (fields, 'message', context).
   */
  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]) {
    const context =
      params.length > 0 && typeof params[params.length - 1] === 'string'
        ? (params.pop() as string)
        : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' && typeof params[0] === 'string' && params[0].includes('\n'))
      fields.stack = params.shift();
    const text = typeof params[0] === 'string' ? (params.shift() as string) : undefined;
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, text ?? message.message);
    else if (typeof message === 'object' && message !== null)
      this.logger[level]({ ...fields, ...message }, text);
    else this.logger[level](fields, String(message));
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
}
