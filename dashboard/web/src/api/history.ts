import { api } from './http';

/** `GET /api/v1/devices/:id/history`: buckets of `intervalMs` from `from` to `to`; a null value = no data in the bucket. */
export interface HistoryAnswer {
  intervalMs: number;
  fields: string[];
  points: { time: number; values: Record<string, number | string | null> }[];
}

export type Column = [number, number | string | null][];

/** Asks for at most `points` buckets over [from, to) and returns one column of [time, value] per field. */
export async function loadHistory(id: string, from: number, to: number, points: number): Promise<{ intervalMs: number; columns: Record<string, Column> }> {
  const a = await api.get<HistoryAnswer>(`/devices/${encodeURIComponent(id)}/history`, { from, to, points });
  const columns: Record<string, Column> = {};
  for (const f of a.fields) columns[f] = [];
  for (const p of a.points) for (const f of a.fields) columns[f]?.push([p.time, p.values[f] ?? null]);
  return { intervalMs: a.intervalMs, columns };
}
