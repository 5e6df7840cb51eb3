/**
 * History queries for the dashboard, in InfluxQL over /query (answered by InfluxDB 1.x, 2.x through its v1
 * compatibility API, and 3.x). Every value that reaches a query is quoted here; callers pass plain values.
 */
import type { InfluxConfig } from '@tianwang/core/config';
import { UserError } from '@tianwang/core/errors';
import type { DeviceKind } from '@tianwang/core/schemas';
import { influxQl } from './influx-client.js';
import { CLOCK_SKEW_FIELD, TELEMETRY_FIELDS, measurementOf, type FieldSpec } from './measurements.js';

export interface SeriesQuery {
  deviceId: string;
  kind: DeviceKind;
  from: number | Date;
  to: number | Date;
  /** roughly how many points to return (buckets over the range); default 500, at most 10,000 */
  points?: number;
  /** default: every telemetry field of the kind */
  fields?: string[];
}

export interface SeriesResult {
  /** bucket width in ms */
  intervalMs: number;
  fields: string[];
  /** bucket start times (ms) and, per field, one value per bucket (null when the bucket had none) */
  points: { time: number; values: Record<string, number | string | null> }[];
}

export interface LatestValue {
  value: number | string | boolean | null;
  time: number;
}

export interface EventRow {
  time: number;
  code: string;
  state: string;
  detail?: Record<string, unknown>;
}

export interface History {
  /** a device's telemetry over a range, downsampled: floats and booleans (0/1) averaged per bucket, integers and strings the last value */
  series(q: SeriesQuery): Promise<SeriesResult>;
  /** the latest value of each telemetry field, with its time */
  latest(deviceId: string, kind: DeviceKind): Promise<Record<string, LatestValue>>;
  /** faults and events of a device, newest first */
  events(q: { deviceId: string; kind: DeviceKind; from: number | Date; to: number | Date; limit?: number }): Promise<EventRow[]>;
}

export const quoteIdent = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
export const quoteLiteral = (s: string) => `'${s.replace(/(['\\])/g, '\\$1')}'`;
const ms = (t: number | Date) => (t instanceof Date ? t.getTime() : t);

type Series = { name: string; columns: string[]; values?: unknown[][]; tags?: Record<string, string> };
type QueryResult = { results: { statement_id: number; series?: Series[] }[] };

function aggregateOf(spec: FieldSpec): string {
  return spec.type === 'float' || spec.type === 'bool' ? 'mean' : 'last';
}

function fieldSpecs(kind: DeviceKind, names?: string[]): FieldSpec[] {
  const all = [...TELEMETRY_FIELDS[kind], { name: CLOCK_SKEW_FIELD, type: 'int' as const, optional: true }];
  if (!names) return all.filter((f) => f.name !== CLOCK_SKEW_FIELD);
  return names.map((n) => {
    const spec = all.find((f) => f.name === n);
    if (!spec) throw new UserError('TW_PAYLOAD_INVALID', `unknown ${kind} field "${n}"`);
    return spec;
  });
}

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw new UserError('TW_PAYLOAD_INVALID', 'the time range must have from < to');
}

export function createHistory(config: InfluxConfig): History {
  const db = config.influxDatabase;
  const run = async (q: string) => (await influxQl(config, q, { db })) as QueryResult;
  const deviceClause = (deviceId: string) => `${quoteIdent('device')} = ${quoteLiteral(deviceId)}`;

  return {
    async series(q) {
      const from = ms(q.from);
      const to = ms(q.to);
      checkRange(from, to);
      const buckets = Math.min(Math.max(Math.floor(q.points ?? 500), 1), 10_000);
      const intervalMs = Math.max(1, Math.ceil((to - from) / buckets));
      const specs = fieldSpecs(q.kind, q.fields);
      const select = specs.map((f) => `${aggregateOf(f)}(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)}`).join(', ');
      // The offset aligns the buckets on `from` (InfluxQL aligns them on the epoch otherwise: one bucket too many).
      const text =
        `SELECT ${select} FROM ${quoteIdent(measurementOf.telemetry(q.kind))} WHERE ${deviceClause(q.deviceId)} ` +
        `AND time >= ${from}ms AND time < ${to}ms GROUP BY time(${intervalMs}ms, ${from % intervalMs}ms) fill(none)`;
      const res = await run(text);
      const series = res.results[0]?.series?.[0];
      const fields = specs.map((f) => f.name);
      const points = (series?.values ?? []).map((row) => {
        const values: Record<string, number | string | null> = {};
        series!.columns.forEach((c, i) => {
          if (c !== 'time') values[c] = (row[i] as number | string | null) ?? null;
        });
        return { time: Number(row[0]), values };
      });
      return { intervalMs, fields, points };
    },

    async latest(deviceId, kind) {
      const specs = fieldSpecs(kind);
      const m = quoteIdent(measurementOf.telemetry(kind));
      // One statement per field: each answers with the time of that field's own last value.
      const text = specs.map((f) => `SELECT last(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)} FROM ${m} WHERE ${deviceClause(deviceId)}`).join('; ');
      const res = await run(text);
      const out: Record<string, LatestValue> = {};
      for (const r of res.results) {
        const s = r.series?.[0];
        const row = s?.values?.[0];
        if (!s || !row) continue;
        const spec = specs[r.statement_id]!;
        const raw = row[1] as number | string | null;
        out[spec.name] = { value: spec.type === 'bool' && typeof raw === 'number' ? raw === 1 : raw, time: Number(row[0]) };
      }
      return out;
    },

    async events(q) {
      const from = ms(q.from);
      const to = ms(q.to);
      checkRange(from, to);
      const limit = Math.min(Math.max(Math.floor(q.limit ?? 200), 1), 10_000);
      const text =
        `SELECT "code", "state", "detail" FROM ${quoteIdent(measurementOf.event(q.kind))} WHERE ${deviceClause(q.deviceId)} ` +
        `AND time >= ${from}ms AND time < ${to}ms ORDER BY time DESC LIMIT ${limit}`;
      const res = await run(text);
      const s = res.results[0]?.series?.[0];
      if (!s?.values) return [];
      const col = (name: string) => s.columns.indexOf(name);
      const [ti, ci, si, di] = [col('time'), col('code'), col('state'), col('detail')];
      return s.values.map((row) => {
        const e: EventRow = { time: Number(row[ti]), code: String(row[ci]), state: String(row[si]) };
        const detail = di >= 0 ? row[di] : null;
        if (typeof detail === 'string') {
          try {
            e.detail = JSON.parse(detail) as Record<string, unknown>;
          } catch {
            /* a detail that is not JSON is left out */
          }
        }
        return e;
      });
    },
  };
}
