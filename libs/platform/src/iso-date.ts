import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationArguments } from 'class-validator';

/*
 * The one grammar of dates the officer API accepts (bodies and query strings alike), the same as the
 * app lists': an ISO-8601 calendar date `YYYY-MM-DD` (midnight UTC) or a date-time with seconds
 * optional and an explicit offset (`Z` or `+01:00`). `Date`'s own parser is not used to decide: it
 * reads `08/12/2023` as 12 August (US order) and rolls `2023-02-30` over to 2 March.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export const ISO_DATE_FORMATS = 'YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with Z or an offset such as +01:00';

export type IsoDateParse = { ok: true; date: Date } | { ok: false; problem: string };

/** Reads an officer's date strictly; `problem` says what is wrong in words (no "Invalid Date"). */
export function parseIsoDateTime(value: unknown): IsoDateParse {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? { ok: false, problem: 'is not a date' }
      : { ok: true, date: value };
  }
  if (typeof value !== 'string')
    return { ok: false, problem: `must be an ISO-8601 date (${ISO_DATE_FORMATS})` };
  const text = value.trim();
  const match = ISO_DATE.exec(text) ?? ISO_DATE_TIME.exec(text);
  if (!match) {
    const hint = LOCAL_DATE_TIME.test(text)
      ? 'has no time zone: add Z (UTC) or an offset such as +01:00'
      : `is not an ISO-8601 date (${ISO_DATE_FORMATS})`;
    return { ok: false, problem: `${JSON.stringify(value.slice(0, 64))} ${hint}` };
  }
  const [year, month, day, hour = '0', minute = '0', second = '0'] = match.slice(1);
  const calendar = new Date(Date.UTC(+year, +month - 1, +day));
  const sameDay =
    calendar.getUTCFullYear() === +year &&
    calendar.getUTCMonth() === +month - 1 &&
    calendar.getUTCDate() === +day;
  if (!sameDay || +hour > 23 || +minute > 59 || +second > 59) {
    return { ok: false, problem: `${JSON.stringify(text)} is not a real date or time` };
  }
  const offset = match[8];
  if (offset !== undefined && offset !== 'Z') {
    const [offsetHours, offsetMinutes] = offset.slice(1).split(':').map(Number);
    if (offsetHours > 23 || offsetMinutes > 59) {
      return { ok: false, problem: `${JSON.stringify(text)} has an impossible offset ${offset}` };
    }
  }
  return { ok: true, date: new Date(text) };
}

/**
 * A date field of a body or query DTO: strict ISO-8601 (see parseIsoDateTime), turned into a `Date`.
 * The 400 names the field and what is wrong with the value.
 */
export function IsIsoDateTime(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      const parsed = parseIsoDateTime(value);
      return parsed.ok ? parsed.date : value;
    }),
    ValidateBy({
      name: 'isIsoDateTime',
      validator: {
        validate: (value: unknown) => value instanceof Date && !Number.isNaN(value.getTime()),
        defaultMessage: (args?: ValidationArguments) => {
          const parsed = parseIsoDateTime(args?.value);
          return `${args?.property ?? 'date'} ${parsed.ok ? 'is not a date' : parsed.problem}`;
        },
      },
    }),
  );
}
