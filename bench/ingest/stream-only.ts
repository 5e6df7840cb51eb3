/**
 * Ingest alone, driven straight from the stream (no broker): N entries are XADDed first, then one ingest
 * instance drains them into influxd. Prints messages/s and ingest CPU µs per message. A diagnostic for
 * ingest's own cost; the end-to-end figure is run.ts. `node … bench/ingest/stream-only.ts [N]`;
 * `DEVICES=20000`: messages spread over that many devices (default 1,000), so that no two updates of one device share a batch;
 * `PAYLOAD=fleet`: realistic elevator readings instead of one that changes with every message; TW_INGEST_STORE=all: no decisions.
 */
import { Redis } from 'ioredis';
import { UPLINK_BATCH_MAX_MESSAGES, encodeUplinkBatches, encodeUplinkEntry, pipelineKeys, uplinkBatchFields, type UplinkEntry } from '@tianwang/core/pipeline';
import { createInfluxDatabase, startInflux, startRedis } from '@tianwang/core/testing';
import { loadConfig } from '@tianwang/core/config';
import type { DeviceAuth } from '@tianwang/core/registry';
import { createIngest } from '@tianwang/ingest';
import { fleetTraces } from './fleet-traces.js';

const N = Number(process.argv[2] ?? 200_000);
const [redisServer, influx] = await Promise.all([startRedis(), startInflux()]);
await createInfluxDatabase(influx.url, 'so');
const redis = new Redis(redisServer.url);
const keys = pipelineKeys('so');
const DEVICES = Number(process.env.DEVICES ?? 1000);
const devices: DeviceAuth[] = Array.from({ length: DEVICES }, (_, i) => ({ id: `EB-${String(i).padStart(6, '0')}`, kind: 'elevator', enabled: true, credentialHash: null, unitId: `U${i % 50}`, districtId: `D${i % 5}` }));
const t0 = Date.now() - 3_600_000;
// PAYLOAD=fleet: firmware-sim elevator readings, one a second per device (fleet-traces.ts); default: the same reading
// with a new seq and run counter each time
const traces = process.env.PAYLOAD === 'fleet' ? fleetTraces('fleet', DEVICES, t0) : undefined;
// PER_ENTRY: messages per stream entry as the broker writes them (default 64); 0 = old one-message entries
const perEntry = Number(process.env.PER_ENTRY ?? UPLINK_BATCH_MAX_MESSAGES);
for (let i = 0; i < N; i += 5000) {
  const pipe = redis.pipeline();
  const msgs: UplinkEntry[] = [];
  for (let j = i; j < Math.min(N, i + 5000); j++) {
    const d = devices[j % DEVICES]!.id;
    const payload = traces
      ? traces.payload(j % DEVICES, t0 + Math.floor(j / DEVICES) * 1000, j)
      : JSON.stringify({ ts: t0 + Math.floor(j / DEVICES), seq: j, floor: 3, direction: 'up', speed: 1.75, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'mains', runCount: 123456 + j, runHours: 7890.5, load: 42 });
    msgs.push({ topic: `tw/v1/elevator/${d}/telemetry`, payload, receivedAt: Date.now(), clientId: d, kind: 'm' });
  }
  if (perEntry > 0) for (const b of encodeUplinkBatches(msgs, perEntry)) pipe.xadd(keys.uplink, '*', ...uplinkBatchFields(b));
  else for (const m of msgs) pipe.xadd(keys.uplink, '*', ...encodeUplinkEntry(m));
  await pipe.exec();
}
const config = loadConfig({ NODE_ENV: 'test', ...(process.env.TW_INGEST_STORE ? { TW_INGEST_STORE: process.env.TW_INGEST_STORE } : {}), TW_REDIS_URL: redisServer.url, TW_KEY_PREFIX: 'so', TW_INFLUX_URL: influx.url, TW_INFLUX_DATABASE: 'so' });
const ingest = createIngest(config, { registry: { devices: { getAuth: async () => undefined, listAuth: async () => devices } } });
// PROFILE=file.cpuprofile: profile ingest only (not the entry generation above)
const { Session } = await import('node:inspector/promises');
const session = process.env.PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const start = performance.now();
await ingest.start();
for (;;) {
  const pending = (await redis.xinfo('GROUPS', keys.uplink)) as unknown[][];
  const f = pending[0]!;
  const lag = Number(f[f.indexOf('lag') + 1]);
  const pend = Number(f[f.indexOf('pending') + 1]);
  if (lag === 0 && pend === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
const secs = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
if (session) {
  const { profile } = await session.post('Profiler.stop');
  (await import('node:fs')).writeFileSync(process.env.PROFILE!, JSON.stringify(profile));
}
process.stdout.write(`${JSON.stringify({ entries: N, seconds: Number(secs.toFixed(2)), perS: Math.round(N / secs), cpuUsPerMessage: Number(((cpu.user + cpu.system) / N).toFixed(1)) })}\n`);
await ingest.stop();
redis.disconnect();
await Promise.all([redisServer.stop(), influx.stop()]);
process.exit(0);
