import { sql, type FragmentSqlToken } from 'slonik';

/** One column's new value: an UPDATE's SET list takes it, and so does a new row inserted with its change applied. */
export type Assignment = readonly [column: string, value: FragmentSqlToken];

/** The SET list of assignments. */
export const setList = (assignments: readonly Assignment[]) =>
  sql.join(
    assignments.map(([column, value]) => sql.fragment`${sql.identifier([column])} = ${value}`),
    sql.fragment`, `,
  );

/**
 * A new row inserted with assignments applied: `values` are the row as a plain insert would store it (read with the
 * table's column types, so an assignment's expression reads them by name, as an UPDATE reads the stored row).
 */
export function insertWith(table: string, values: Record<string, unknown>, assignments: readonly Assignment[]) {
  const assigned = new Map(assignments);
  const columns = [...new Set([...Object.keys(values), ...assigned.keys()])];
  const names = sql.join(
    columns.map((c) => sql.identifier([c])),
    sql.fragment`, `,
  );
  const selected = sql.join(
    columns.map((c) => assigned.get(c) ?? sql.identifier(['base', c])),
    sql.fragment`, `,
  );
  return sql.fragment`INSERT INTO ${sql.identifier([table])} (${names})
    SELECT ${selected} FROM jsonb_populate_record(NULL::${sql.identifier([table])}, ${sql.jsonb(values as never)}) AS base`;
}
