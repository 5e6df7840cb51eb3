/**
 * Alerts benchmark: a terminal publishes a trapped-passenger event through the broker; we time until the SMS
 * request reaches the local Aliyun endpoint (through the uplink stream, the rules, the registry, BullMQ and the
 * real Aliyun SDK), while a load generator pushes 10,000 telemetry messages/s through the same broker.
 *
 *   npm run bench:alerts [-- --quick] [-- --rate 10000] [-- --probes 200]
 *
 * Processes: Redis; the broker (pinned to core 0); the load generator (pinned to core 1); this process runs the
 * alerts service with its registry (embedded PGlite), the local Aliyun endpoint and the probe terminal.
 * Ingest is not running (it is a separate consumer group of the same stream; bench:ingest measures it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Redis } from 'ioredis';
import { createAlerts } from '@tianwang/alerts';
import { startFakeAliyun } from '@tianwang/alerts/testing';
import { loadConfig } from '@tianwang/core/config';
import { openRegistry } from '@tianwang/core/registry';
import { freePort, startRedis, tempDir } from '@tianwang/core/testing';
import { checkPrereqs } from '../prereqs.js';

checkPrereqs('alerts');

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const RATE = arg('rate', 10_000);
const LOAD_DEVICES = arg('devices', 500);
const PROBES = arg('probes', quick ? 40 : 200);
const PROBE_DEVICES = 5;
const WARMUP_S = quick ? 3 : 8;
const SECRET = 'bench-device-secret-0123456789';
const HERE = 'bench/alerts';
const NODE = [process.execPath, '--conditions=@tianwang/source', '--import', 'tsx'];

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

function launch(cmd: string[], core: number, onLine: (line: string) => void = () => {}): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', String(core), ...NODE, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (l === 'READY') resolve(child);
        else onLine(l);
      }
    });
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited ${code}: ${err}`)));
  });
}


async function main() {
  const redis = await startRedis({ appendonly: false });
  const aliyun = await startFakeAliyun();
  const prefix = `bench${Date.now().toString(36)}`;
  const mqttPort = await freePort();
  const config = loadConfig({
    TW_REDIS_URL: redis.url, TW_KEY_PREFIX: prefix, TW_SECRET_KEY: randomUUID() + randomUUID(), TW_PUBLIC_URL: 'https://tw.example.cn', TW_LOG_LEVEL: 'silent',
    TW_SMS_PROVIDER: 'aliyun', TW_ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId, TW_ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret, TW_ALIYUN_ENDPOINT: aliyun.url,
  });

  // registry: the load terminals and the probe terminals, each probe with its own unit (its own officer)
  const registry = await openRegistry();
  await registry.districts.upsert({ id: 'D1', name: '示范区', kind: 'district', parentId: null });
  const unit = async (i: number) =>
    registry.units.upsert({
      id: `U${i}`, creditCode: `91310000MA${String(i).padStart(8, '0')}`, name: `使用单位${i}`, address: '', districtId: 'D1',
      safetyOfficerName: '安全员', safetyOfficerPhone: `138${String(i).padStart(8, '0')}`, principalName: '负责人', principalPhone: `139${String(i).padStart(8, '0')}`,
    });
  await unit(0);
  const devices: { id: string; kind: 'elevator' }[] = [];
  for (let i = 0; i < LOAD_DEVICES; i++) {
    const id = `BL-${String(i).padStart(6, '0')}`;
    devices.push({ id, kind: 'elevator' });
    await registry.devices.upsert({
      id, kind: 'elevator', registrationCode: `31100000${String(i).padStart(12, '0')}`, name: `负载梯${i}`, location: '', unitId: 'U0', maintenanceCompanyId: null, model: '',
      rated: { ratedSpeed: 1.75 }, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
    });
  }
  for (let i = 1; i <= PROBE_DEVICES; i++) {
    await unit(i);
    const id = `PR-${String(i).padStart(3, '0')}`;
    devices.push({ id, kind: 'elevator' });
    await registry.devices.upsert({
      id, kind: 'elevator', registrationCode: `31199999${String(i).padStart(12, '0')}`, name: `${i}号楼1号梯`, location: `${i}号楼`, unitId: `U${i}`, maintenanceCompanyId: null, model: '',
      rated: { ratedSpeed: 1.75 }, telemetryIntervalS: 3600, lastMaintenanceOn: null, inspectionValidUntil: null,
    });
  }
  const dir = await tempDir('bench-alerts');
  const devicesFile = join(dir, 'devices.json');
  writeFileSync(devicesFile, JSON.stringify(devices));

  const broker = await launch([join(HERE, 'broker-proc.ts'), String(mqttPort), redis.url, prefix, devicesFile, SECRET, `svc-${randomUUID()}`], 0);
  const alerts = createAlerts(config, { registry, tuning: { calendarEveryMs: 0 } });
  await alerts.start();

  let genRate = 0;
  const rates: number[] = [];
  const gen = await launch([join(HERE, 'loadgen.ts'), `mqtt://127.0.0.1:${mqttPort}`, String(LOAD_DEVICES), String(RATE), SECRET], 1, (l) => {
    try {
      genRate = (JSON.parse(l) as { rate: number }).rate;
      rates.push(genRate);
    } catch {
      /* not a stats line */
    }
  });
  const probes = await Promise.all(
    Array.from({ length: PROBE_DEVICES }, (_, i) => {
      const id = `PR-${String(i + 1).padStart(3, '0')}`;
      return mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: id, username: id, password: SECRET, reconnectPeriod: 0 }).then((c) => ({ id, c }));
    }),
  );
  const monitor = new Redis(redis.url);
  console.log(`warming up ${WARMUP_S} s at ${RATE} msg/s from ${LOAD_DEVICES} terminals …`);
  await sleep(WARMUP_S * 1000);

  const cpu0 = { broker: cpuSeconds(broker.pid!), gen: cpuSeconds(gen.pid!), self: process.cpuUsage(), redis: cpuSeconds(redis.child.pid!) };
  const t0 = Date.now();
  const latencies: number[] = [];
  let lost = 0;
  let maxLag = 0;
  for (let n = 0; n < PROBES; n++) {
    const p = probes[n % PROBE_DEVICES]!;
    const before = aliyun.received.length;
    const sentAt = Date.now();
    await p.c.publishAsync(`tw/v1/elevator/${p.id}/event`, JSON.stringify({ ts: sentAt, code: '11', state: 'raised', detail: { floor: 7 } }), { qos: 1 });
    const deadline = sentAt + 10_000;
    let hit: number | undefined;
    while (Date.now() < deadline) {
      const r = aliyun.received.slice(before).find((x) => x.params?.device?.startsWith(`${(n % PROBE_DEVICES) + 1}号楼1号梯`));
      if (r) {
        hit = r.at;
        break;
      }
      await sleep(2);
    }
    if (hit === undefined) lost++;
    else latencies.push(hit - sentAt);
    const groups = (await monitor.xinfo('GROUPS', `${prefix}:uplink`)) as unknown[][];
    const alertsGroup = groups.find((g) => g[1] === 'alerts');
    const lag = Number(alertsGroup?.[alertsGroup.indexOf('lag') + 1] ?? 0);
    maxLag = Math.max(maxLag, lag);
    // the fault clears (the alarm closes as auto-cleared), so the next probe opens a new alarm
    await p.c.publishAsync(`tw/v1/elevator/${p.id}/event`, JSON.stringify({ ts: Date.now(), code: '11', state: 'cleared' }), { qos: 1 });
    await sleep(100 + Math.floor(Math.random() * 100));
    if ((n + 1) % 20 === 0) console.log(`${n + 1}/${PROBES} probes · p50 ${pct(latencies, 50)} ms · generator ${genRate} msg/s · alerts lag ${lag}`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const self = process.cpuUsage(cpu0.self);
  const cpu = {
    broker: (cpuSeconds(broker.pid!) - cpu0.broker) / seconds,
    generator: (cpuSeconds(gen.pid!) - cpu0.gen) / seconds,
    alertsProcess: (self.user + self.system) / 1e6 / seconds,
    redis: (cpuSeconds(redis.child.pid!) - cpu0.redis) / seconds,
  };
  const streamLen = await monitor.xlen(`${prefix}:uplink`);
  const measuredRates = rates.slice(WARMUP_S);
  const result = {
    date: new Date().toISOString().slice(0, 10),
    probes: PROBES, delivered: latencies.length, lost,
    p50: pct(latencies, 50), p90: pct(latencies, 90), p99: pct(latencies, 99), max: Math.max(...latencies),
    backgroundRate: Math.round(measuredRates.reduce((a, b) => a + b, 0) / Math.max(1, measuredRates.length)),
    targetRate: RATE, terminals: LOAD_DEVICES, maxAlertsLag: maxLag, streamEntries: streamLen,
    cpuCores: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v * 100) / 100])),
  };
  console.log(JSON.stringify(result));
  console.log(`| ${result.date} | ${result.terminals} terminals, ${result.backgroundRate} msg/s | ${result.probes} (${result.lost} lost) | ${result.p50} | ${result.p90} | ${result.p99} | ${result.max} | ${result.maxAlertsLag} |`);
  writeFileSync(join(HERE, 'last-run.json'), JSON.stringify(result, null, 2) + '\n');

  gen.kill('SIGTERM');
  for (const p of probes) await p.c.endAsync();
  await alerts.stop();
  broker.kill('SIGTERM');
  monitor.disconnect();
  await sleep(500);
  await aliyun.close();
  await registry.close();
  await redis.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
