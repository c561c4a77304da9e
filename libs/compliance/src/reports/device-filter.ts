import type { ComplianceStatus } from '#libs/persistence';

/** The console's device filters, shared by the device list and the CSV export (same rows in both). */
export interface DeviceFilter {
  status?: ComplianceStatus;
  platform?: 'ios' | 'android';
  /** Android phones have no supervision: `false` means iPhones not known to be supervised. */
  supervised?: boolean;
  /** The exact UDID, a serial number prefix, or part of the device name (case-insensitive). */
  q?: string;
}

/** Text matched literally inside LIKE: its own % and _ are not wildcards. */
const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The WHERE conditions (on `c` device_compliance and `d` devices) and their parameters, numbered
 * from `first`. Every condition is written so that an absent filter costs nothing.
 */
export function deviceFilterSql(filter: DeviceFilter, first: number): { sql: string; params: unknown[] } {
  const q = filter.q?.trim() || null;
  const p = (n: number) => `$${first + n}`;
  return {
    sql: `AND (${p(0)}::text IS NULL OR c.status = ${p(0)})
          AND (${p(1)}::text IS NULL OR c.platform = ${p(1)})
          AND (${p(2)}::boolean IS NULL OR (CASE WHEN ${p(2)} THEN d.is_supervised IS TRUE
                                            ELSE c.platform = 'ios' AND d.is_supervised IS NOT TRUE END))
          AND (${p(3)}::text IS NULL OR d.udid = ${p(3)} OR d.serial_number ILIKE ${p(4)} || '%'
               OR d.device_name ILIKE '%' || ${p(4)} || '%')`,
    params: [
      filter.status ?? null,
      filter.platform ?? null,
      filter.supervised ?? null,
      q,
      q === null ? null : likePattern(q),
    ],
  };
}
