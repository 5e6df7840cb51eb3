/**
 * Broker benchmark: the same load generator, in the same run, against our broker (auth and ACL on, uplink
 * stream on) and against Debian's mosquitto (tuned: max_inflight_messages 0, max_queued_messages 0).
 * Each broker is pinned to core 0 and the generator to core 1 (taskset); Redis runs unpinned and its CPU
 * is reported separately. `npm run bench:broker [-- --quick]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startRedis, tempDir } from '@tianwang/core/testing';
import { servicePassword } from '@tianwang/broker';
import { cpuSeconds } from '../ingest/measure.js';
import { checkPrereqs } from '../prereqs.js';
import { mosquittoConfig } from './mosquitto.js';

const skipped = checkPrereqs('broker');
const withMosquitto = !skipped.has('the mosquitto comparison');

const quick = process.argv.includes('--quick');
const SECRET = '0123456789abcdef0123456789abcdef';
const MASTER = 'bench-master-service-password-0123456789';
const PUBLISHERS = 100;
const SECONDS = quick ? 3 : 5;
const RATES = quick ? [25_000, 50_000, 100_000, 200_000] : [25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000];
const CONNS = quick ? 5_000 : 19_000;
const HERE = 'bench/broker';
const NODE = [process.execPath, '--conditions=@tianwang/source', '--import', 'tsx'];
const BROKER_NODE = [process.execPath, '--expose-gc', '--conditions=@tianwang/source', '--import', 'tsx'];
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

function launch(cmd: string[], core: number, readyLine?: string): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', String(core), ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()).slice(-4000));
  if (!readyLine) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(readyLine)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited ${code}: ${err}`)));
  });
}

/** Runs the generator; onMark('S' | 'E') fires when sending starts and ends (CPU is sampled there). */
function runGen(args: string[], onMark: (m: string) => void = () => {}): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '1', ...NODE, join(HERE, 'loadgen.ts'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => {
      const text = b.toString();
      for (const m of text.match(/^[SE]$/gm) ?? []) onMark(m);
      out += text;
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`loadgen ${code}: ${err.slice(-2000)}`))));
  });
}

interface Target { name: string; port: number; pid: () => number; alive: () => boolean; subUser: string; subPass: string; gc?: () => Promise<void> }

async function fanin(t: Target, qos: number, rate: number, redisPid?: number) {
  let c0 = 0, r0 = 0, c1 = 0, r1 = 0, t0 = 0, t1 = 0;
  let rss = 0;
  const res = await runGen(['fanin', String(t.port), String(qos), String(rate), String(SECONDS), String(PUBLISHERS), SECRET, t.subUser, t.subPass], (m) => {
    if (m === 'S') [c0, r0, t0] = [cpuSeconds(t.pid()), redisPid ? cpuSeconds(redisPid) : 0, Date.now()];
    else [c1, r1, t1, rss] = [cpuSeconds(t.pid()), redisPid ? cpuSeconds(redisPid) : 0, Date.now(), rssKb(t.pid())];
  });
  const wall = (t1 - t0) / 1000;
  const cpu = (c1 - c0) / wall;
  const redisCpu = redisPid ? (r1 - r0) / wall : 0;
  const row = {
    broker: t.name, qos, offered: rate, sentPerS: Math.round(res.sent! / res.seconds!), deliveredPerS: Math.round(res.deliveredAtEnd! / res.seconds!),
    loss: qos === 0 ? Math.max(0, res.sent! - res.delivered!) : Math.max(0, res.acked! - res.delivered!),
    cpu: Math.round(cpu * 100), redisCpu: Math.round(redisCpu * 100), rssMb: Math.round(rss / 1024), alive: t.alive(),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function main() {
  const redis = await startRedis({ appendonly: false });
  const redisPid = redis.child.pid!;
  const ourPort = await freePort();
  const ours = await launch([...BROKER_NODE, join(HERE, 'broker-proc.ts'), String(ourPort), redis.url, 'bench', String(CONNS + 200), SECRET, MASTER], 0, 'READY');
  const targets: Target[] = [
    {
      name: 'tianwang', port: ourPort, pid: () => ours.pid!, alive: () => ours.exitCode === null, subUser: 'svc:ingest', subPass: servicePassword(MASTER, 'ingest'),
      gc: async () => { ours.kill('SIGUSR2'); await new Promise((r) => setTimeout(r, 1000)); },
    },
  ];
  let mosq: ChildProcess | undefined;
  if (withMosquitto) {
    const mosqDir = await tempDir('mosq');
    const mosqPort = await freePort();
    writeFileSync(join(mosqDir, 'm.conf'), mosquittoConfig(mosqPort));
    const m = (mosq = await launch(['mosquitto', '-c', join(mosqDir, 'm.conf')], 0));
    await new Promise((r) => setTimeout(r, 500));
    targets.push({ name: 'mosquitto', port: mosqPort, pid: () => m.pid!, alive: () => m.exitCode === null, subUser: 'bench', subPass: 'x' });
  }
  const rows = [];
  const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  try {
    // connections first, while both brokers are fresh (RSS per connection is not blurred by fan-in garbage)
    const connRows = [];
    for (const t of targets) connRows.push(await holdConnections(t));
    for (const qos of [0, 1]) {
      for (const rate of RATES) {
        for (const t of targets) {
          if (t.name === 'tianwang') {
            // clear the uplink stream between steps (ingest would consume it)
            const { Redis } = await import('ioredis');
            const r = new Redis(redis.url); await r.del('bench:uplink'); r.disconnect();
          }
          rows.push(await fanin(t, qos, rate, t.name === 'tianwang' ? redisPid : undefined));
          if (!t.alive()) throw new Error(`${t.name} died`);
        }
      }
    }
    const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`load average at start ${load0}, at end ${load1} (2 cores; other engineers' processes share them)`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(join('bench/results', 'broker-last-run.json'), JSON.stringify({ date: new Date().toISOString(), quick, loadAverage: { start: load0, end: load1 }, fanin: rows, connections: connRows }, null, 2));
    summarize(rows, connRows);
  } finally {
    ours.kill('SIGTERM');
    mosq?.kill('SIGTERM');
    await redis.stop();
  }
}

function runGenConns(t: Target, n: number): Promise<void> {
  const gen = spawn('taskset', ['-c', '1', ...NODE, join(HERE, 'loadgen.ts'), 'conns', String(t.port), String(n), SECRET], { stdio: ['pipe', 'pipe', 'inherit'] });
  gen.stdout.once('data', () => gen.stdin.end());
  return new Promise((r) => gen.once('exit', () => r()));
}

/** Idle authenticated device connections held by one generator; broker RSS growth per connection. */
async function holdConnections(t: Target) {
  // warm-up: one connection first, so one-time allocations (mqtt-packet's packet-id cache, code) are not counted
  await runGenConns(t, 1);
  await t.gc?.();
  const before = rssKb(t.pid());
  const gen = spawn('taskset', ['-c', '1', ...NODE, join(HERE, 'loadgen.ts'), 'conns', String(t.port), String(CONNS), SECRET], { stdio: ['pipe', 'pipe', 'inherit'] });
  const held = await new Promise<number>((resolve) => gen.stdout.on('data', (b: Buffer) => resolve(JSON.parse(b.toString()).held)));
  await new Promise((r) => setTimeout(r, 3000));
  await t.gc?.();
  const after = rssKb(t.pid());
  const row = { broker: t.name, held, rssBeforeMb: Math.round(before / 1024), rssAfterMb: Math.round(after / 1024), kbPerConn: Math.round(((after - before) / held) * 10) / 10 };
  console.log(JSON.stringify(row));
  gen.stdin.end();
  await new Promise((r) => gen.once('exit', r));
  await new Promise((r) => setTimeout(r, 2000));
  return row;
}

function summarize(rows: { broker: string; qos: number; offered: number; deliveredPerS: number }[], conns: { broker: string; held: number; kbPerConn: number }[]) {
  for (const qos of [0, 1]) {
    const peak = (b: string) => Math.max(...rows.filter((r) => r.broker === b && r.qos === qos).map((r) => r.deliveredPerS));
    const o = peak('tianwang'), m = peak('mosquitto');
    const top = rows.filter((r) => r.broker === 'tianwang' && r.qos === qos).at(-1)!;
    const versus = withMosquitto ? `mosquitto ${m}/s, ratio ${(o / m).toFixed(2)}` : 'mosquitto skipped (not installed)';
    console.log(`QoS ${qos}: peak delivered tianwang ${o}/s, ${versus}; at the highest offered rate (${top.offered}/s) tianwang delivers ${top.deliveredPerS}/s = ${Math.round((top.deliveredPerS / o) * 100)} % of its peak`);
  }
  for (const c of conns) console.log(`connections: ${c.broker} held ${c.held}, ${c.kbPerConn} KB each`);
}

await main();
