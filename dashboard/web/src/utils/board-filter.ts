import type { BoardRow, District } from '@/api/types';

/** The board's filters; the same names as the query of GET /api/v1/devices (so Excel export gets them as they are). */
export interface BoardFilters {
  q: string;
  kind: '' | 'elevator' | 'boiler';
  districtId: string;
  unitId: string;
  online: '' | 'true' | 'false';
  alarm: boolean;
  overdue: boolean;
}

export const emptyFilters = (): BoardFilters => ({ q: '', kind: '', districtId: '', unitId: '', online: '', alarm: false, overdue: false });

/** The query string form: only the filters that are set. */
export function filterQuery(f: BoardFilters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.q.trim()) q.q = f.q.trim();
  if (f.kind) q.kind = f.kind;
  if (f.districtId) q.districtId = f.districtId;
  if (f.unitId) q.unitId = f.unitId;
  if (f.online) q.online = f.online;
  if (f.alarm) q.alarm = 'true';
  if (f.overdue) q.overdue = 'true';
  return q;
}

/** A district node and every node under it (grids), as the server's districtId filter reads it. */
export function subtree(districts: readonly District[], id: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const d of districts) if (d.parentId) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d.id]);
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const n = stack.pop() as string;
    if (out.has(n)) continue;
    out.add(n);
    stack.push(...(children.get(n) ?? []));
  }
  return out;
}

export const isOverdue = (r: BoardRow) => r.maintenanceOverdue || r.inspectionExpired || r.inspectionExpiring;

/**
 * The board filters in the browser: every row in scope is already here (live), so filtering is a pass over at most a
 * few thousand rows per change, and a row moves in or out of the view as its live state changes.
 * Matches the server's rules (docs/dashboard.md, GET /api/v1/devices).
 */
export function filterRows(rows: readonly BoardRow[], f: BoardFilters, districts: readonly District[]): BoardRow[] {
  const q = f.q.trim().toLowerCase();
  const inDistrict = f.districtId ? subtree(districts, f.districtId) : undefined;
  const online = f.online === '' ? undefined : f.online === 'true';
  return rows.filter(
    (r) =>
      (!f.kind || r.kind === f.kind) &&
      (!inDistrict || inDistrict.has(r.districtId)) &&
      (!f.unitId || r.unitId === f.unitId) &&
      (online === undefined || (r.online ?? false) === online) &&
      (!f.alarm || r.activeAlarms > 0) &&
      (!f.overdue || isOverdue(r)) &&
      (!q || [r.id, r.name, r.registrationCode, r.location, r.unitName].some((s) => s?.toLowerCase().includes(q))),
  );
}

/** Devices in alarm first (what a supervisor must see), the rest in the server's order. */
export function alarmFirst(rows: BoardRow[]): BoardRow[] {
  const hot = rows.filter((r) => r.activeAlarms > 0);
  return hot.length ? [...hot, ...rows.filter((r) => r.activeAlarms === 0)] : rows;
}
