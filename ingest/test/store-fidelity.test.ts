/**
 * Store by exception through ingest, end to end: random series of elevators and boilers, two workers sharing the
 * stream (the order gate between them), read back as step series: on influxd 1.6 through history (steps and
 * series) and on VictoriaMetrics (/api/v2/write) from its export. Then a batch decided by a worker that never
 * wrote it (InfluxDB unreachable, then stopped) and reclaimed by another: nothing that was decided stored is lost.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';
import { storagePolicy, type DeviceKind } from '@tianwang/core/schemas';
import { freePort, startVictoria, type VictoriaServer } from '@tianwang/core/testing';
import { createHistory, createIngest, type IngestService } from '../src/index.js';
import type { StepPoint } from '../src/step-series.js';
import { fidelityProblems } from './fidelity.js';
import { append, devices, entry, freshPrefix, ingestConfig, lookupOf, metricValue, telemetryTopic, useServers, waitFor } from './helpers.js';
import { randomSeries } from './random-series.js';

const servers = useServers();
let vm: VictoriaServer;
beforeAll(async () => {
  vm = await startVictoria();
});
afterAll(async () => {
  await vm?.stop();
});

const HEARTBEAT_S = 20;
const N = 240;
const policy = storagePolicy({ heartbeatS: HEARTBEAT_S });
const fleet = [...devices(3), ...devices(3, 'boiler')];

/** Every device's series, and the stream entries in time order across devices (as the broker appends them). */
function fleetSeries(t0: number, seed: number) {
  const series = new Map(fleet.map((d, i) => [d.id, randomSeries(d.kind as DeviceKind, N, seed + i, t0)]));
  const entries = [];
  for (let i = 0; i < N; i++) for (const d of fleet) entries.push(entry(telemetryTopic(d.kind as DeviceKind, d.id), series.get(d.id)![i]!));
  return { series, entries };
}

/** Until every entry of the stream is acknowledged by the ingest group. */
async function drained(redis: Redis, prefix: string, timeoutMs = 30_000): Promise<void> {
  const key = pipelineKeys(prefix).uplink;
  const last = ((await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]![0];
  await waitFor(
    async () => {
      const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
      const g = groups.find((row) => row[row.indexOf('name') + 1] === CONSUMER_GROUPS.ingest) ?? [];
      return { delivered: g[g.indexOf('last-delivered-id') + 1], pending: Number(g[g.indexOf('pending') + 1]) };
    },
    (s) => s.delivered === last && s.pending === 0,
    timeoutMs,
    100,
  );
}

async function startWorkers(config: ReturnType<typeof ingestConfig>, n: number): Promise<IngestService[]> {
  const workers = Array.from({ length: n }, (_, i) => createIngest(config, { registry: { devices: lookupOf(fleet) }, consumerName: `w${i}` }));
  await Promise.all(workers.map((w) => w.start()));
  return workers;
}

const exceptionConfig = { ingestStore: 'exception' as const, ingestStoreHeartbeatS: HEARTBEAT_S, ingestReadCount: 100, ingestFlushMs: 20 };

describe('store by exception, end to end', () => {
  it('influxd 1.6, two workers: every original value reads back within its rule, every discrete change at its time, fewer values stored', async () => {
    const prefix = freshPrefix();
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, exceptionConfig);
    const t0 = Date.now() - 3_600_000;
    const { series, entries } = fleetSeries(t0, 1);
    await append(servers.redis, prefix, entries);
    const workers = await startWorkers(config, 2);
    try {
      await drained(servers.redis, prefix);
      const history = createHistory(config.influx, { policy });
      for (const d of fleet) {
        const kind = d.kind as DeviceKind;
        const sent = series.get(d.id)!;
        const steps = await history.steps({ deviceId: d.id, kind, from: t0, to: t0 + N * 1000 });
        expect(steps.truncated).toBe(false);
        expect(fidelityProblems(kind, sent, (f) => steps.series[f], policy), d.id).toEqual([]);
        // the downsampled view at one-second buckets is the same step series (booleans averaged: 0/1)
        const s = await history.series({ deviceId: d.id, kind, from: t0, to: t0 + N * 1000, points: N });
        expect(s.intervalMs).toBe(1000);
        expect(s.fill).toBe('previous');
        expect(s.staleAfterMs.floor ?? s.staleAfterMs.pressure).toBe(2 * HEARTBEAT_S * 1000);
        const bucketsOf = (f: string): StepPoint[] => s.points.map((p) => ({ time: p.time, value: p.values[f] ?? null }));
        expect(fidelityProblems(kind, sent, bucketsOf, policy, { fields: Object.keys(policy.fields[kind]).filter((f) => f !== 'seq') }), `${d.id} series`).toEqual([]);
      }
      const metrics = await Promise.all(workers.map((w) => w.metrics.metrics()));
      const sum = (name: string) => metrics.reduce((a, m) => a + metricValue(m, name), 0);
      const received = sum('ingest_fields_received_total');
      const stored = sum('ingest_fields_stored_total');
      expect(received).toBeGreaterThan(N * fleet.length * 10);
      expect(stored).toBeLessThan(received * 0.6);
      expect(stored).toBeGreaterThan(0);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('VictoriaMetrics (/api/v2/write): the stored values give the same step series', async () => {
    const prefix = freshPrefix();
    const config = ingestConfig(
      servers.redisServer.url,
      prefix,
      { influxUrl: vm.url, influxApi: 'v2', influxDatabase: 'tw', influxOrg: 'tianwang', influxToken: 'secret-token' },
      exceptionConfig,
    );
    const t0 = Date.now() - 3_600_000;
    const { series, entries } = fleetSeries(t0, 50);
    await append(servers.redis, prefix, entries);
    const workers = await startWorkers(config, 2);
    try {
      await drained(servers.redis, prefix);
      await fetch(`${vm.url}/internal/force_flush`);
      for (const d of fleet) {
        const kind = d.kind as DeviceKind;
        const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': `{__name__=~"${kind}_.*",device="${d.id}"}`, start: String(t0 / 1000 - 1) })}`);
        const exported = new Map<string, StepPoint[]>();
        for (const line of (await res.text()).split('\n').filter(Boolean)) {
          const e = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
          exported.set(e.metric.__name__!.slice(kind.length + 1), e.timestamps.map((time, i) => ({ time, value: e.values[i]! })));
        }
        // VictoriaMetrics keeps numbers only: string (enum) fields are not stored there
        const numeric = Object.keys(policy.fields[kind]).filter((f) => !['direction', 'door', 'power', 'burner', 'seq'].includes(f));
        expect(fidelityProblems(kind, series.get(d.id)!, (f) => exported.get(f), policy, { fields: numeric }), d.id).toEqual([]);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('a batch decided by a worker that never wrote it is written whole by the worker that reclaims it', async () => {
    const prefix = freshPrefix();
    const t0 = Date.now() - 3_600_000;
    const { series, entries } = fleetSeries(t0, 99);
    // the first worker decides everything and cannot write (nothing listens on its InfluxDB port), then stops
    const dead = `http://127.0.0.1:${await freePort()}`;
    const doomed = ingestConfig(servers.redisServer.url, prefix, { influxUrl: dead, influxTimeoutMs: 500 }, { ...exceptionConfig, ingestClaimIdleMs: 1000 });
    const [first] = await startWorkers(doomed, 1);
    await append(servers.redis, prefix, entries.slice(0, entries.length / 2));
    const keys = pipelineKeys(prefix);
    // every device's decisions are in Redis (its shadow holds the decision state): the worker decided and holds the points
    await waitFor(async () => first!.backlog(), (n) => n > 0, 10_000, 50);
    await waitFor(async () => (await Promise.all(fleet.map((d) => servers.redis.hexists(keys.shadow(d.id), 'stored')))).every(Boolean), (ok) => ok, 10_000, 50);
    await waitFor(async () => metricValue(await first!.metrics.metrics(), 'ingest_messages_total'), (n) => n >= entries.length / 2, 10_000, 50);
    await first!.stop();
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, { ...exceptionConfig, ingestClaimIdleMs: 1000 });
    const [second] = await startWorkers(config, 1);
    try {
      await append(servers.redis, prefix, entries.slice(entries.length / 2));
      await drained(servers.redis, prefix);
      expect(metricValue(await second!.metrics.metrics(), 'ingest_reclaimed_messages_total')).toBeGreaterThan(0);
      const history = createHistory(config.influx, { policy });
      for (const d of fleet) {
        const kind = d.kind as DeviceKind;
        const steps = await history.steps({ deviceId: d.id, kind, from: t0, to: t0 + N * 1000 });
        expect(fidelityProblems(kind, series.get(d.id)!, (f) => steps.series[f], policy), d.id).toEqual([]);
      }
    } finally {
      await second!.stop();
    }
  });

  it('history: a steady device holds its value between heartbeats, a silent one reads as no data after twice the heartbeat', async () => {
    const prefix = freshPrefix();
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, exceptionConfig);
    const t0 = Date.now() - 3_600_000;
    const steady = (ts: number, seq: number) => ({ ts, seq, floor: 3, direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: 10, runHours: 2, load: 0 });
    // one reading a second for a minute, silence, then one more at 160 s with the door open
    const sent = [...Array.from({ length: 60 }, (_, i) => steady(t0 + i * 1000, i)), { ...steady(t0 + 160_000, 60), door: 'open' }];
    await append(servers.redis, prefix, sent.map((m) => entry(telemetryTopic('elevator', 'E00000'), m)));
    const [worker] = await startWorkers(config, 1);
    try {
      await drained(servers.redis, prefix);
      const history = createHistory(config.influx, { policy });
      const steps = await history.steps({ deviceId: 'E00000', kind: 'elevator', from: t0, to: t0 + 200_000 });
      // stored: the first reading, a heartbeat every 20 s while it reports, and the change
      expect(steps.series.door!.map((p) => [(p.time - t0) / 1000, p.value])).toEqual([[0, 'closed'], [20, 'closed'], [40, 'closed'], [160, 'open']]);
      expect(steps.series.floor!.map((p) => (p.time - t0) / 1000)).toEqual([0, 20, 40, 160]);
      expect(fidelityProblems('elevator', sent, (f) => steps.series[f], policy)).toEqual([]);
      const series = await history.series({ deviceId: 'E00000', kind: 'elevator', from: t0, to: t0 + 200_000, points: 200 });
      const at = (sec: number) => series.points.find((p) => p.time === t0 + sec * 1000)?.values;
      for (const sec of [0, 1, 19, 30, 59]) expect(at(sec)).toMatchObject({ door: 'closed', floor: 3, doorZone: 1 });
      // the last stored value (40 s) holds for twice the heartbeat (within the one-second bucket it is in), then nothing
      expect(at(80)).toMatchObject({ door: 'closed' });
      expect(series.points.filter((p) => p.time > t0 + 81_000 && p.time < t0 + 160_000)).toEqual([]);
      expect(at(160)).toMatchObject({ door: 'open', floor: 3 });
      expect(at(199)).toMatchObject({ door: 'open' });
      // a range that starts after the last change still shows the value in force (read from before it)
      const later = await history.series({ deviceId: 'E00000', kind: 'elevator', from: t0 + 170_000, to: t0 + 180_000, points: 10 });
      expect(later.points).toHaveLength(10);
      expect(later.points.every((p) => p.values.door === 'open' && p.values.floor === 3)).toBe(true);
    } finally {
      await worker!.stop();
    }
  });
});
