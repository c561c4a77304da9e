import { describe, expect, it } from '@jest/globals';
import { parseIsoDateTime } from './iso-date.js';

describe('parseIsoDateTime: the officer API’s one date grammar', () => {
  it.each([
    ['2023-12-08', '2023-12-08T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2023-12-08T00:00:00+01:00', '2023-12-07T23:00:00.000Z'],
    ['2023-12-08T10:15Z', '2023-12-08T10:15:00.000Z'],
    ['2023-12-08T10:15:30.250-05:30', '2023-12-08T15:45:30.250Z'],
  ])('reads %s as %s', (text, iso) => {
    const parsed = parseIsoDateTime(text);
    expect(parsed.ok && parsed.date.toISOString()).toBe(iso);
  });

  it.each([
    ['08/12/2023', /is not an ISO-8601 date/],
    ['12/08/2023', /is not an ISO-8601 date/],
    ['2023-02-30', /is not a real date or time/],
    ['2023-02-29', /is not a real date or time/],
    ['2023-00-10', /is not a real date or time/],
    ['2023-12-08T24:00:00Z', /is not a real date or time/],
    ['2023-12-08T10:60Z', /is not a real date or time/],
    ['2023-12-08T10:00:00', /has no time zone/],
    ['2023-12-08T10:00:00+25:00', /impossible offset/],
    ['1702000000', /is not an ISO-8601 date/],
    ['', /is not an ISO-8601 date/],
  ])('refuses %j, saying why', (text, problem) => {
    const parsed = parseIsoDateTime(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });

  it('refuses what is not a string', () => {
    expect(parseIsoDateTime(1702000000).ok).toBe(false);
    expect(parseIsoDateTime(null).ok).toBe(false);
  });
});
