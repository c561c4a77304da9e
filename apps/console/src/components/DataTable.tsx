import type { Key, ReactNode } from 'react';

/**
 * A DSFR table: the caption stays in the markup for screen readers (the DSFR hides it with
 * `fr-table--no-caption`), every header is `scope="col"`, one `<tr>` a row.
 */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  renderCells,
  className,
}: {
  caption: ReactNode;
  /** Column headers in order; `null` or `false` leaves a column out (e.g. actions for readers). */
  columns: ReadonlyArray<ReactNode>;
  rows: readonly Row[];
  rowKey: (row: Row) => Key;
  /** The row's `<td>` cells, in the order of `columns`. */
  renderCells: (row: Row) => ReactNode;
  /** More classes on the DSFR wrapper (spacing). */
  className?: string;
}) {
  return (
    <div
      className={className ? `fr-table fr-table--no-caption ${className}` : 'fr-table fr-table--no-caption'}
    >
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) =>
              column === null || column === undefined || column === false ? null : (
                <th key={index} scope="col">
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>{renderCells(row)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
