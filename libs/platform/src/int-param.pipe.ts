import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { NotFoundDomainException } from './domain.exception.js';
import { ValidationFailed } from './validation.js';

/** PostgreSQL's `integer`: a larger number reaching a query is an "out of range" error, a 500. */
export const MAX_INT32 = 2_147_483_647;

/**
 * A path or query integer within bounds (default 1..2^31-1), written in plain decimal digits:
 * `1e3`, `0x10`, `+1` and `99999999999999999999` are a 400 naming the parameter, never a 500.
 * Used as an instance (`@Param('n', new BoundedIntPipe())`), so that its bounds are not injected.
 */
export class BoundedIntPipe implements PipeTransform<string | number | undefined, number> {
  constructor(
    private readonly min = 1,
    private readonly max = MAX_INT32,
  ) {}

  transform(value: string | number | undefined, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? metadata.type;
    if (value === undefined || value === '') {
      const where = metadata.type === 'query' ? ` (query parameter: ?${name}=<integer>)` : '';
      throw new ValidationFailed([{ field: name, message: `is required${where}` }], 'INVALID_INTEGER');
    }
    // The global ValidationPipe (transform) may already have turned the text into a number.
    const text = typeof value === 'number' ? String(value) : value;
    const n = typeof text === 'string' && /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < this.min || n > this.max) {
      throw new ValidationFailed(
        [{ field: name, message: `must be an integer between ${this.min} and ${this.max}` }],
        'INVALID_INTEGER',
      );
    }
    return n;
  }
}

/**
 * A path id that names a row by UUID: anything else cannot name one, so it is the same 404 as an
 * unknown id ("officer "x" was not found"), not Nest's "Validation failed (uuid is expected)".
 */
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (typeof value !== 'string' || !isUUID(value))
      throw new NotFoundDomainException(this.what, String(value));
    return value;
  }
}
