import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startInflux, startRedis, startVictoria, type InfluxServer, type RedisServer, type VictoriaServer } from '@tianwang/core/testing';
import { influxQuery } from './helpers.js';
import { telemetryStoreContract, type StoredSeries } from './store-contract.js';

let redisServer: RedisServer;
let influx: InfluxServer;
let vm: VictoriaServer;
let redis: Redis;
beforeAll(async () => {
  [redisServer, influx, vm] = await Promise.all([startRedis(), startInflux(), startVictoria()]);
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.all([redisServer?.stop(), influx?.stop(), vm?.stop()]);
});

const V1_DB = 'contract_v1';

/** InfluxDB 1.x through InfluxQL: the tags of the series and its points. */
async function v1Series(measurement: string, field: string, device: string): Promise<StoredSeries | undefined> {
  const r = await influxQuery(influx.url, V1_DB, `SELECT "${field}" FROM "${measurement}" WHERE device = '${device}' GROUP BY * ORDER BY time ASC`);
  const s = r.results[0]?.series?.[0];
  if (!s) return undefined;
  return { tags: s.tags ?? {}, times: s.values.map((v) => Number(v[0])), values: s.values.map((v) => Number(v[1])) };
}

/** VictoriaMetrics' export: metric `<measurement>_<field>` with the tags as labels. */
async function v2Series(measurement: string, field: string, device: string): Promise<StoredSeries | undefined> {
  await fetch(`${vm.url}/internal/force_flush`).catch(() => {});
  const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': `${measurement}_${field}{device="${device}"}` })}`);
  const [line] = (await res.text()).split('\n').filter(Boolean);
  if (!line) return undefined;
  const e = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
  return { tags: e.metric, times: e.timestamps, values: e.values };
}

telemetryStoreContract('InfluxDB 1.x (/write)', () => ({ redisUrl: redisServer.url, redis, influx: { influxUrl: influx.url, influxDatabase: V1_DB }, series: v1Series }));
telemetryStoreContract('InfluxDB 2.x/3.x API (/api/v2/write, VictoriaMetrics)', () => ({
  redisUrl: redisServer.url, redis,
  influx: { influxUrl: vm.url, influxApi: 'v2', influxDatabase: 'tw', influxOrg: 'tianwang', influxToken: 'secret-token' },
  series: v2Series,
}));
