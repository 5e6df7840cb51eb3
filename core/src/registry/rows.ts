/** snake_case row → camelCase object; DATE values normalised to 'YYYY-MM-DD' (PGlite gives Date, pg gives string). */
export function camelRow<T>(row: Record<string, unknown>, dateColumns: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const key = k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    out[key] = dateColumns.includes(k) ? toDateString(v) : v;
  }
  return out as T;
}

export function toDateString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    // a DATE parsed as a JS Date is midnight UTC (PGlite); take the calendar day as written
    return v.toISOString().slice(0, 10);
  }
  return String(v).slice(0, 10);
}

export function camelRows<T>(rows: Record<string, unknown>[], dateColumns: readonly string[] = []): T[] {
  return rows.map((r) => camelRow<T>(r, dateColumns));
}
