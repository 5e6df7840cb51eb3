/**
 * Diagnostic: how fast one alerts worker drains the uplink stream, without broker or generator. Fills the stream
 * with N telemetry entries from `devices` terminals (as the broker writes them), then starts alerts and times the
 * drain. `node --conditions=@tianwang/source --import tsx bench/alerts/stream-only.ts [entries] [devices]`
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAlerts } from '@tianwang/alerts';
import { loadConfig } from '@tianwang/core/config';
import { encodeUplinkBatch, type UplinkEntry } from '@tianwang/core/pipeline';
import { openRegistry } from '@tianwang/core/registry';
import { startRedis } from '@tianwang/core/testing';

const N = Number(process.argv[2] ?? 100_000);
const DEVICES = Number(process.argv[3] ?? 500);
const redis = await startRedis({ appendonly: false });
const prefix = 'drain';
const config = loadConfig({ TW_REDIS_URL: redis.url, TW_KEY_PREFIX: prefix, TW_SECRET_KEY: randomUUID() + randomUUID(), TW_LOG_LEVEL: 'silent' });
const registry = await openRegistry();
await registry.districts.upsert({ id: 'D1', name: 'd', kind: 'district', parentId: null });
await registry.units.upsert({ id: 'U0', creditCode: '91310000MA00000000', name: 'u', address: '', districtId: 'D1', safetyOfficerName: 'a', safetyOfficerPhone: '13800000000', principalName: 'b', principalPhone: '13900000000' });
for (let i = 0; i < DEVICES; i++)
  await registry.devices.upsert({
    id: `BL-${String(i).padStart(6, '0')}`, kind: 'elevator', registrationCode: `31100000${String(i).padStart(12, '0')}`, name: `e${i}`, location: '', unitId: 'U0',
    maintenanceCompanyId: null, model: '', rated: { ratedSpeed: 1.75 }, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
  });
const r = new Redis(redis.url);
// the group must exist before the entries: it starts at "$"
const alerts = createAlerts(config, { registry, tuning: { calendarEveryMs: 0 } });
await alerts.start();
await alerts.stop();
let p = r.pipeline();
let group: UplinkEntry[] = [];
for (let i = 0; i < N; i++) {
  const id = `BL-${String(i % DEVICES).padStart(6, '0')}`;
  const payload = JSON.stringify({ ts: Date.now(), seq: i, floor: 3, direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: i, runHours: 1, load: 0 });
  // batch entries of 64 messages, as the broker writes them
  group.push({ topic: `tw/v1/elevator/${id}/telemetry`, payload, receivedAt: Date.now(), clientId: id, kind: 'm' });
  if (group.length === 64 || i === N - 1) {
    p.xadd(`${prefix}:uplink`, '*', ...encodeUplinkBatch(group));
    group = [];
  }
  if (i % 5000 === 4999) {
    await p.exec();
    p = r.pipeline();
  }
}
await p.exec();
const t0 = Date.now();
const cpu0 = process.cpuUsage();
await alerts.start();
for (;;) {
  const groups = (await r.xinfo('GROUPS', `${prefix}:uplink`)) as unknown[][];
  const g = groups.find((x) => x[1] === 'alerts')!;
  const lag = Number(g[g.indexOf('lag') + 1]);
  const pending = Number(g[g.indexOf('pending') + 1]);
  if (lag === 0 && pending === 0) break;
  await new Promise((res) => setTimeout(res, 20));
}
const s = (Date.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ entries: N, devices: DEVICES, seconds: s, perSecond: Math.round(N / s), cpuCores: +((cpu.user + cpu.system) / 1e6 / s).toFixed(2) }));
const m = await alerts.metrics.getSingleMetricAsString('alerts_batch_seconds');
console.log(m.split('\n').filter((l) => /_sum|_count/.test(l)).join('\n'));
await alerts.stop();
r.disconnect();
await registry.close();
await redis.stop();
process.exit(0);
