import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { InfluxConfig, IngestConfig } from '@tianwang/core/config';
import { UPLINK_BATCH_MAX_MESSAGES, encodeUplinkBatches, encodeUplinkEntry, pipelineKeys, uplinkBatchFields, type UplinkEntry } from '@tianwang/core/pipeline';
import type { DeviceAuth } from '@tianwang/core/registry';
import { startInflux, startRedis, waitFor as coreWaitFor, type InfluxServer, type RedisServer } from '@tianwang/core/testing';
import { telemetryTopic, eventTopic, statusTopic } from '@tianwang/core/topics';
import type { DeviceLookup } from '../src/device-cache.js';
import type { IngestServiceConfig } from '../src/ingest.js';

export interface TestServers {
  redisServer: RedisServer;
  influx: InfluxServer;
  /** one connection for the tests' own reads and appends */
  redis: Redis;
}

/**
 * Redis and influxd for the test file that calls it (each file starts its own, on free ports, so files run in
 * parallel), one Redis connection, all stopped after the file. The fields are set in beforeAll.
 */
export function useServers(): TestServers {
  const s = {} as TestServers;
  beforeAll(async () => {
    [s.redisServer, s.influx] = await Promise.all([startRedis(), startInflux()]);
    s.redis = new Redis(s.redisServer.url);
    // some tests stop Redis on purpose: the connection reconnects by itself, its errors are expected
    s.redis.on('error', () => {});
  });
  afterAll(async () => {
    s.redis?.disconnect();
    await Promise.all([s.redisServer?.stop(), s.influx?.stop()]);
  });
  return s;
}

/** A value of a /metrics text: the first sample of `name` (with or without labels). */
export const metricValue = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

export const freshPrefix = () => `t${randomBytes(4).toString('hex')}`;

export function devices(n: number, kind: 'elevator' | 'boiler' = 'elevator', prefix = kind === 'elevator' ? 'E' : 'B'): DeviceAuth[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(5, '0')}`,
    kind,
    enabled: true,
    credentialHash: null,
    unitId: `unit-${i % 7}`,
    districtId: `district ${i % 3}`,
  }));
}

/** A registry stand-in with the two lookups ingest uses (the real registry is exercised in one test). */
export function lookupOf(list: DeviceAuth[]): DeviceLookup & { calls: number } {
  const byId = new Map(list.map((d) => [d.id, d]));
  const l = {
    calls: 0,
    async getAuth(id: string) {
      l.calls++;
      return byId.get(id);
    },
    async listAuth() {
      return [...byId.values()];
    },
  };
  return l;
}

export function ingestConfig(redisUrl: string, prefix: string, influx: Partial<InfluxConfig> & { influxUrl: string }, ingest: Partial<IngestConfig> = {}): IngestServiceConfig {
  return {
    common: { redisUrl, keyPrefix: prefix },
    influx: { influxApi: 'v1', influxDatabase: `db_${prefix}`, influxOrg: '', influxToken: undefined, influxTimeoutMs: 5000, influxRetryMaxMs: 1000, ...influx },
    ingest: {
      ingestBatchSize: 2000,
      ingestFlushMs: 50,
      ingestMaxBacklog: 200_000,
      ingestMetricsPort: 9102,
      ingestReadCount: 1000,
      ingestWriteConcurrency: 2,
      ingestWriteGzipBytes: 0,
      ingestClaimIdleMs: 3000,
      ingestTrimIntervalMs: 500,
      ingestStreamRetainS: 600,
      ingestClockFutureS: 300,
      ingestClockPastS: 86_400,
      ingestDeadLetterMax: 10_000,
      ingestDeadLetterPerMin: 1000,
      ingestShadowChangesMax: 10_000,
      ingestRegistryTtlMs: 1000,
      // these files test delivery (one message = one point); store by exception has its own tests
      ingestStore: 'all',
      ingestStoreHeartbeatS: 300,
      ingestStoreFields: '',
      ingestStoreOrderWaitMs: 2000,
      ...ingest,
    },
  };
}

export function elevatorTelemetry(ts: number, seq = 0, over: Record<string, unknown> = {}) {
  return {
    ts, seq, floor: seq % 20, direction: 'up', speed: 1.5, door: 'closed', doorZone: true, passenger: false,
    mode: 1, power: 'mains', runCount: 1000 + seq, runHours: 12.5, load: 40, ...over,
  };
}

export function boilerTelemetry(ts: number, seq = 0) {
  return {
    ts, seq, pressure: 0.8, waterLevel: -5, steamTemp: 170, flueTemp: 160, feedWaterTemp: 60, burner: 'running',
    flame: true, fan: true, feedPump: false, fuelPressure: 12,
  };
}

export function entry(topic: string, payload: unknown, receivedAt = Date.now(), kind: UplinkEntry['kind'] = 'm', clientId?: string): UplinkEntry {
  return { topic, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), receivedAt, clientId: clientId ?? topic.split('/')[3] ?? '', kind };
}

export { telemetryTopic, eventTopic, statusTopic };

/**
 * XADDs messages the way the broker does: batch entries of up to `perEntry` messages (pipelines of 1,000
 * entries); perEntry 0 writes the old one-message entries (format 1) instead.
 */
export async function append(redis: Redis, prefix: string, entries: UplinkEntry[], perEntry = UPLINK_BATCH_MAX_MESSAGES): Promise<void> {
  const key = pipelineKeys(prefix).uplink;
  const fields: (string | Buffer)[][] = perEntry > 0 ? encodeUplinkBatches(entries, perEntry).map(uplinkBatchFields) : entries.map(encodeUplinkEntry);
  for (let i = 0; i < fields.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const f of fields.slice(i, i + 1000)) pipe.xadd(key, '*', ...f);
    await pipe.exec();
  }
}

export async function influxQuery(url: string, db: string, q: string): Promise<{ results: { series?: { name: string; columns: string[]; values: unknown[][]; tags?: Record<string, string> }[]; error?: string }[] }> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db, epoch: 'ms' }) });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as never;
}

/** Number of points of a measurement (counting one always-present field). */
export async function countPoints(url: string, db: string, measurement: string, field: string, device?: string): Promise<number> {
  try {
    const r = await influxQuery(url, db, `SELECT count("${field}") FROM "${measurement}"${device ? ` WHERE device = '${device}'` : ''}`);
    return Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  } catch {
    return -1;
  }
}

/** Core's waitFor for a value that must pass `ok`: resolves with the first value that does. */
export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, stepMs = 200): Promise<T> {
  let last: T | undefined;
  const met = await coreWaitFor(
    async () => {
      last = await fn();
      return ok(last) ? { value: last } : undefined;
    },
    { timeoutMs, intervalMs: stepMs, what: 'the condition' },
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last: ${JSON.stringify(last)?.slice(0, 300)})`, { cause: err });
  });
  return met.value;
}
