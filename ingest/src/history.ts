/**
 * History queries for the dashboard, in InfluxQL over /query (answered by InfluxDB 1.x, 2.x through its v1
 * compatibility API, and 3.x). Every value that reaches a query is quoted here; callers pass plain values.
 *
 * Telemetry is stored by exception (docs/ingest.md): a field's value is in InfluxDB when it changed beyond its
 * rule, at least once per heartbeat while the device reports. So telemetry reads back as step series
 * (step-series.ts): between two stored values a field holds the earlier one, for at most twice its heartbeat.
 */
import type { InfluxConfig } from '@tianwang/core/config';
import { UserError } from '@tianwang/core/errors';
import { storagePolicy, type DeviceKind, type StoragePolicy } from '@tianwang/core/schemas';
import { influxQl } from './influx-client.js';
import { CLOCK_SKEW_FIELD, TELEMETRY_FIELDS, measurementOf, type FieldSpec } from './measurements.js';
import { fillBuckets, type Bucket, type StepPoint, type StepValue } from './step-series.js';

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
  /**
   * bucket start times (ms) and, per field, one value per bucket: the aggregate of the values stored in the bucket,
   * else the last value stored before it (fill: 'previous'), else null; buckets where every field is null are left out
   */
  points: { time: number; values: Record<string, number | string | null> }[];
  /** how a bucket without a stored value is filled: with the last value stored before it (a step series) */
  fill: 'previous';
  /**
   * per field: how long after its last stored value a value is carried forward (twice its heartbeat); later: null.
   * -1: never (every message stored, TW_INGEST_STORE=all: an empty bucket is a silence)
   */
  staleAfterMs: Record<string, number>;
}

export interface StepsQuery {
  deviceId: string;
  kind: DeviceKind;
  from: number | Date;
  to: number | Date;
  /** default: every telemetry field of the kind */
  fields?: string[];
  /** most stored points read; default 10,000, at most 100,000 */
  limit?: number;
}

export interface StepsResult {
  fields: string[];
  /** per field: the step series, every stored value in [from, to) in time order, preceded by the last one before `from` */
  series: Record<string, StepPoint[]>;
  /** per field: a value holds until the next one, for at most this long (twice its heartbeat) */
  staleAfterMs: Record<string, number>;
  /** more than `limit` points were stored in the range: the series stop early */
  truncated: boolean;
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
  /**
   * a device's telemetry over a range, downsampled: floats and booleans (0/1) averaged per bucket, integers and
   * strings the last value; a bucket without a stored value holds the last one before it (step series)
   */
  series(q: SeriesQuery): Promise<SeriesResult>;
  /** a device's telemetry over a range as stored: per field its step series (valueAt of step-series.ts reads it) */
  steps(q: StepsQuery): Promise<StepsResult>;
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

export interface HistoryOptions {
  /** the storage policy ingest applies (its heartbeats say how long a value holds); default: the domain defaults */
  policy?: StoragePolicy;
}

export function createHistory(config: InfluxConfig, opts: HistoryOptions = {}): History {
  const db = config.influxDatabase;
  const policy = opts.policy ?? storagePolicy();
  const run = async (q: string, epoch: 'ms' | 'u' = 'ms') => (await influxQl(config, q, { db, epoch })) as QueryResult;
  const deviceClause = (deviceId: string) => `${quoteIdent('device')} = ${quoteLiteral(deviceId)}`;
  /** clock_skew marks one point: never carried forward */
  const staleOf = (kind: DeviceKind, specs: FieldSpec[]) =>
    Object.fromEntries(specs.map((f) => [f.name, f.name === CLOCK_SKEW_FIELD ? -1 : 2 * (policy.fields[kind][f.name]?.heartbeatMs ?? 0)]));
  /** One statement per field: the last value stored before `from` (and its own time), as far back as it may hold. */
  const seedStatements = (q: { deviceId: string; kind: DeviceKind }, specs: FieldSpec[], from: number, stale: Record<string, number>) =>
    specs.map(
      (f) =>
        `SELECT last(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)} FROM ${quoteIdent(measurementOf.telemetry(q.kind))} WHERE ${deviceClause(q.deviceId)} ` +
        `AND time >= ${from - Math.max(0, stale[f.name]!)}ms AND time < ${from}ms`,
    );
  const seedsOf = (res: QueryResult, specs: FieldSpec[], first: number, scale = 1) => {
    const seeds: Record<string, StepPoint> = {};
    specs.forEach((f, i) => {
      const row = res.results.find((r) => r.statement_id === first + i)?.series?.[0]?.values?.[0];
      if (row && row[1] !== null && row[1] !== undefined) seeds[f.name] = { time: Number(row[0]) / scale, value: row[1] as StepValue };
    });
    return seeds;
  };

  return {
    async series(q) {
      const from = ms(q.from);
      const to = ms(q.to);
      checkRange(from, to);
      const buckets = Math.min(Math.max(Math.floor(q.points ?? 500), 1), 10_000);
      const intervalMs = Math.max(1, Math.ceil((to - from) / buckets));
      const count = Math.ceil((to - from) / intervalMs);
      const specs = fieldSpecs(q.kind, q.fields);
      // a range reaching into the future: nothing is carried past now
      const now = Date.now();
      // With every message stored (TW_INGEST_STORE=all) a bucket without a stored value is a silence, never a held
      // value: nothing is carried forward, and an empty bucket is a gap (the caller picks buckets wider than the
      // report interval).
      const stale = policy.mode === 'all' ? Object.fromEntries(specs.map((f) => [f.name, -1])) : staleOf(q.kind, specs);
      // an averaged field also needs its last value: that is what holds after the bucket
      const select = specs
        .map((f) => {
          const agg = `${aggregateOf(f)}(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)}`;
          return aggregateOf(f) === 'mean' ? `${agg}, last(${quoteIdent(f.name)}) AS ${quoteIdent(`${f.name}$last`)}` : agg;
        })
        .join(', ');
      // The offset aligns the buckets on `from` (InfluxQL aligns them on the epoch otherwise: one bucket too many).
      const text =
        `SELECT ${select} FROM ${quoteIdent(measurementOf.telemetry(q.kind))} WHERE ${deviceClause(q.deviceId)} ` +
        `AND time >= ${from}ms AND time < ${to}ms GROUP BY time(${intervalMs}ms, ${from % intervalMs}ms) fill(none)`;
      const res = await run([text, ...seedStatements(q, specs, from, stale)].join('; '));
      const series = res.results.find((r) => r.statement_id === 0)?.series?.[0];
      const seeds = seedsOf(res, specs, 1);
      const rows = series?.values ?? [];
      const col = (name: string) => series?.columns.indexOf(name) ?? -1;
      const fields = specs.map((f) => f.name);
      const columns = specs.map((f) => {
        const vi = col(f.name);
        const li = aggregateOf(f) === 'mean' ? col(`${f.name}$last`) : vi;
        const bucketsOf: Bucket[] = rows.map((row) => ({ time: Number(row[0]), value: (row[vi] as StepValue) ?? null, last: (row[li] as StepValue) ?? null }));
        return fillBuckets(from, intervalMs, count, bucketsOf, seeds[f.name], stale[f.name]!, now);
      });
      const points: SeriesResult['points'] = [];
      for (let k = 0; k < count; k++) {
        const values: Record<string, number | string | null> = {};
        let any = false;
        specs.forEach((f, i) => {
          const v = columns[i]![k] ?? null;
          values[f.name] = v as number | string | null;
          if (v !== null) any = true;
        });
        if (any) points.push({ time: from + k * intervalMs, values });
      }
      return { intervalMs, fields, points, fill: 'previous', staleAfterMs: stale };
    },

    async steps(q) {
      const from = ms(q.from);
      const to = ms(q.to);
      checkRange(from, to);
      const limit = Math.min(Math.max(Math.floor(q.limit ?? 10_000), 1), 100_000);
      const specs = fieldSpecs(q.kind, q.fields);
      const stale = staleOf(q.kind, specs);
      const text =
        `SELECT ${specs.map((f) => quoteIdent(f.name)).join(', ')} FROM ${quoteIdent(measurementOf.telemetry(q.kind))} WHERE ${deviceClause(q.deviceId)} ` +
        `AND time >= ${from}ms AND time < ${to}ms ORDER BY time ASC LIMIT ${limit + 1}`;
      // microseconds: a restore point is one microsecond after its late message (store-decide.ts)
      const res = await run([text, ...seedStatements(q, specs, from, stale)].join('; '), 'u');
      const s = res.results.find((r) => r.statement_id === 0)?.series?.[0];
      const rows = s?.values ?? [];
      const truncated = rows.length > limit;
      const seeds = seedsOf(res, specs, 1, 1000);
      const series: Record<string, StepPoint[]> = {};
      specs.forEach((f) => {
        const i = s?.columns.indexOf(f.name) ?? -1;
        const value = (v: StepValue) => (f.type === 'bool' && typeof v === 'number' ? v === 1 : v);
        const seed = seeds[f.name];
        const points: StepPoint[] = seed ? [{ time: seed.time, value: value(seed.value) }] : [];
        for (const row of truncated ? rows.slice(0, limit) : rows) {
          const v = row[i] as StepValue | undefined;
          if (v !== null && v !== undefined) points.push({ time: Number(row[0]) / 1000, value: value(v) });
        }
        series[f.name] = points;
      });
      return { fields: specs.map((f) => f.name), series, staleAfterMs: stale, truncated };
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
