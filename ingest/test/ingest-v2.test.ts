import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startVictoria, type RedisServer, type VictoriaServer } from '@tianwang/core/testing';
import { createIngest } from '../src/index.js';
import { append, boilerTelemetry, devices, elevatorTelemetry, entry, eventTopic, freshPrefix, ingestConfig, lookupOf, telemetryTopic, waitFor } from './helpers.js';

let redisServer: RedisServer;
let vm: VictoriaServer;
let redis: Redis;

beforeAll(async () => {
  [redisServer, vm] = await Promise.all([startRedis(), startVictoria()]);
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.all([redisServer?.stop(), vm?.stop()]);
});

interface Exported {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

async function exportSeries(match: string): Promise<Exported[]> {
  await fetch(`${vm.url}/internal/force_flush`).catch(() => {});
  const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
  const text = await res.text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Exported);
}

describe('ingest → /api/v2/write (InfluxDB 2.x/3.x path, served here by VictoriaMetrics)', () => {
  it('writes telemetry and events unmodified through the client with the right tags and ms times', async () => {
    const prefix = freshPrefix();
    const config = ingestConfig(redisServer.url, prefix, { influxUrl: vm.url, influxApi: 'v2', influxDatabase: 'tw', influxOrg: 'tianwang', influxToken: 'secret-token' });
    const ingest = createIngest(config, { registry: { devices: lookupOf([...devices(2), ...devices(1, 'boiler')]) } });
    await ingest.start();
    try {
      const t0 = Date.now() - 120_000;
      const entries = [];
      for (let i = 0; i < 20; i++) {
        entries.push(entry(telemetryTopic('elevator', 'E00001'), elevatorTelemetry(t0 + i * 1000, i)));
        entries.push(entry(telemetryTopic('boiler', 'B00000'), boilerTelemetry(t0 + i * 1000, i)));
      }
      entries.push(entry(eventTopic('elevator', 'E00001'), { ts: t0 + 1500, code: '05', state: 'raised' }));
      await append(redis, prefix, entries);

      const floors = await waitFor(() => exportSeries('elevator_floor'), (s) => s[0]?.values.length === 20, 20_000, 500);
      expect(floors[0]!.metric).toMatchObject({ __name__: 'elevator_floor', device: 'E00001', unit: 'unit-1', district: 'district 1', kind: 'elevator' });
      expect(floors[0]!.timestamps[0]).toBe(t0);
      expect(floors[0]!.values.slice(0, 3)).toEqual([0, 1, 2]);
      const pressure = await waitFor(() => exportSeries('boiler_pressure'), (s) => s[0]?.values.length === 20, 10_000, 500);
      expect(pressure[0]!.metric.device).toBe('B00000');
      const raised = await waitFor(() => exportSeries('elevator_event_raised'), (s) => s.length === 1, 10_000, 500);
      expect(raised[0]!.metric).toMatchObject({ code: '05', device: 'E00001' });
      expect(raised[0]!.timestamps).toEqual([t0 + 1500]);
    } finally {
      await ingest.stop();
    }
  });
});
