/**
 * A row as the repositories hand it on: its snake_case columns in camelCase and its timestamps as
 * ISO strings. The SELECT decides the fields, so it is written to match the row type it returns;
 * columns in `omit` (paging keys, joined helpers) stay behind.
 */
export function camelRow<T>(row: Record<string, unknown>, omit: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (omit.includes(column)) continue;
    out[column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] =
      value instanceof Date ? value.toISOString() : value;
  }
  return out as T;
}
