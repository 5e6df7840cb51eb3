import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceAuth } from '@tianwang/core/registry';
import { startInflux, startRedis, startVictoria, type InfluxServer, type RedisServer, type VictoriaServer } from '@tianwang/core/testing';
import { createIngest } from '../src/index.js';
import { append, devices, elevatorTelemetry, entry, freshPrefix, influxQuery, ingestConfig, lookupOf, metricValue, telemetryTopic, waitFor } from './helpers.js';

/**
 * Unit and district ids that line protocol makes hard, through real round trips: written by ingest, read back
 * from influxd 1.6 (v1) and VictoriaMetrics (v2), compared exactly. `null`: the id cannot be written so that
 * every server reads it back the same (line-protocol.ts), so the point is stored without that tag.
 */
const IDS: [string, string | null][] = [
  ['back\\slash', 'back\\slash'],
  ['C:\\dir\\file', 'C:\\dir\\file'],
  ['\\lead', '\\lead'],
  ['with space', 'with space'],
  [' lead and trail ', ' lead and trail '],
  ['comma,here', 'comma,here'],
  ['eq=uals', 'eq=uals'],
  ['=start', '=start'],
  ['end=', 'end='],
  ['quote"d', 'quote"d'],
  ["apos'd", "apos'd"],
  ['all , = "\' of them', 'all , = "\' of them'],
  ['区域 一', '区域 一'],
  ['🚀,emoji=🛗', '🚀,emoji=🛗'],
  ['tab\there', 'tab\there'],
  ['trailing\\', null],
  ['double\\\\back', null],
  ['slash-comma\\,x', null],
  ['slash-space\\ x', null],
  ['new\nline', null],
  ['', null],
];

function adversarialDevices(): DeviceAuth[] {
  return devices(IDS.length).map((d, i) => ({ ...d, unitId: IDS[i]![0], districtId: IDS[i]![0] }));
}

let redisServer: RedisServer;
let redis: Redis;
beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
});

/** Runs ingest over one reading per adversarial device; returns its metrics text once every point is written. */
async function ingestAll(config: ReturnType<typeof ingestConfig>): Promise<string> {
  const ingest = createIngest(config, { registry: { devices: lookupOf(adversarialDevices()) } });
  await ingest.start();
  try {
    const t0 = Date.now() - 60_000;
    await append(redis, config.common.keyPrefix, IDS.map((_, i) => entry(telemetryTopic('elevator', `E${String(i).padStart(5, '0')}`), elevatorTelemetry(t0 + i, i))));
    return await waitFor(() => ingest.metrics.metrics(), (m) => metricValue(m, 'ingest_points_written_total') + metricValue(m, 'ingest_points_rejected_total') >= IDS.length, 20_000);
  } finally {
    await ingest.stop();
  }
}

describe('registry ids as tags, read back exactly', () => {
  let influx: InfluxServer;
  let vm: VictoriaServer;
  beforeAll(async () => {
    [influx, vm] = await Promise.all([startInflux(), startVictoria()]);
  });
  afterAll(async () => Promise.all([influx?.stop(), vm?.stop()]));

  it('influxd 1.6 (v1 /write)', async () => {
    const config = ingestConfig(redisServer.url, freshPrefix(), { influxUrl: influx.url });
    const m = await ingestAll(config);
    expect(metricValue(m, 'ingest_points_written_total')).toBe(IDS.length);
    expect(metricValue(m, 'ingest_points_rejected_total')).toBe(0);
    const r = await influxQuery(influx.url, config.influx.influxDatabase, 'SELECT seq, unit, district FROM elevator ORDER BY time ASC');
    const rows = r.results[0]!.series![0]!.values;
    expect(rows.map((row) => [row[2] ?? null, row[3] ?? null])).toEqual(IDS.map(([, back]) => [back, back]));
    expect(rows.map((row) => row[1])).toEqual(IDS.map((_, i) => i));
  });

  it('VictoriaMetrics (v2 /api/v2/write)', async () => {
    const config = ingestConfig(redisServer.url, freshPrefix(), { influxUrl: vm.url, influxApi: 'v2', influxDatabase: 'tw', influxOrg: 'tianwang' });
    const m = await ingestAll(config);
    expect(metricValue(m, 'ingest_points_written_total')).toBe(IDS.length);
    const series = await waitFor(
      async () => {
        await fetch(`${vm.url}/internal/force_flush`).catch(() => {});
        const text = await (await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': 'elevator_seq' })}`)).text();
        return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[] });
      },
      (s) => s.length === IDS.length,
      20_000,
      250,
    );
    const bySeq = new Map(series.map((s) => [s.values[0]!, s.metric]));
    expect(IDS.map((_, i) => [bySeq.get(i)?.unit ?? null, bySeq.get(i)?.district ?? null])).toEqual(IDS.map(([, back]) => [back, back]));
  });
});
