/**
 * CPU per request of the board's API, in-process (`npm run bench:dashboard-api-cpu [-- --devices 5000 --rounds 7
 * --requests 300 --postgres --only <shape name part>]`): what one `GET /api/v1/devices` costs the dashboard itself, without the network, the
 * other processes or the machine's load in the figure (bench:dashboard's open-loop p99 has all of those).
 *
 * Redis and a registry (PGlite in this process, or `--postgres` a PostgreSQL server) seeded with the benchmark's
 * district (seed.ts: N elevators, one inspector seeing all of them), every device's shadow written through ingest's
 * own ShadowWriter (a reading, half of them online), the dashboard built (not listening), the inspector signed in.
 * Then for each of bench:dashboard's request shapes, the counters, `/me` (the session check and nothing else) and a
 * floor (a request refused before any work: no cookie, 401): `--requests` sequential inject() calls per round,
 * process.cpuUsage() (user + system) around each round, the median of `--rounds` rounds, in µs per request. The
 * answer's body is read as a stream (bytes counted and dropped, as a socket takes them).
 * One warm-up round per shape first (JIT, caches). Small and quick (~1 min); nothing else needs to run.
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { loadConfig } from '@tianwang/core/config';
import { silentLogger } from '@tianwang/core/log';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { openRegistry } from '@tianwang/core/registry';
import { startPostgres, startRedis, waitFor, type PostgresServer } from '@tianwang/core/testing';
import { createDashboard } from '@tianwang/dashboard';
import { ShadowWriter, defineShadowCommand } from '@tianwang/ingest';
import { checkPrereqs } from '../prereqs.js';
import { INSPECTOR, deviceId, seedBenchDistrict } from './seed.js';

checkPrereqs('dashboard');
const { values } = parseArgs({
  options: { devices: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '7' }, requests: { type: 'string', default: '300' }, postgres: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const DEVICES = Number(values.devices);
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const SECRET = 'bench-api-cpu-secret-0123456789abcdef0123';
const log = (s: string) => process.stderr.write(`${s}\n`);

/** bench:dashboard's list shapes (bench/dashboard/run.ts apiLoad), the counters, and the session check alone. */
const SHAPES: [string, string][] = [
  ['page of 100', '/api/v1/devices?limit=100'],
  ['online', '/api/v1/devices?limit=100&online=true'],
  ['sort by last seen, newest first', '/api/v1/devices?limit=100&sort=lastSeen&order=desc'],
  ['search 压测单位7', '/api/v1/devices?limit=100&q=%E5%8E%8B%E6%B5%8B%E5%8D%95%E4%BD%8D7'],
  ['grid D3, elevators', '/api/v1/devices?limit=100&districtId=D3&kind=elevator'],
  ['counters', '/api/v1/board/summary'],
  ['/me (session check)', '/api/v1/me'],
];

/** Every device's shadow as ingest writes it: a reading for all, status online for every other one. */
async function writeShadows(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  defineShadowCommand(redis);
  const writer = new ShadowWriter(pipelineKeys(prefix), 10_000);
  const now = Date.now();
  type Batch = Parameters<ShadowWriter['queue']>[1];
  for (let from = 0; from < DEVICES; from += 500) {
    const batch: unknown[] = [];
    for (let i = from; i < Math.min(DEVICES, from + 500); i++) {
      const device = { id: deviceId(i), kind: 'elevator', enabled: true, unitId: `U${i % 50}`, districtId: `D${(i % 50) % 5}`, tagSet: '' };
      const at = (ts: number, body: unknown) => ({ ok: true, device, ts, sub: 0, clockSkew: false, receivedAt: ts, body });
      const ts = now - ((i * 37) % 60_000);
      batch.push(at(ts, { channel: 'telemetry', value: { floor: i % 30, direction: 'up', speed: 1.2, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'normal', runCount: i, runHours: 1.5, load: 30 } }));
      if (i % 2 === 0) batch.push(at(ts, { channel: 'status', value: { state: 'online' } }));
    }
    const pipe = redis.pipeline();
    writer.queue(pipe, batch as Batch)?.send(pipe);
    await pipe.exec();
  }
  redis.disconnect();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const redis = await startRedis();
  const pg: PostgresServer | undefined = values.postgres ? await startPostgres() : undefined;
  const registry = await openRegistry(pg ? { databaseUrl: pg.url } : {});
  const prefix = `apicpu${process.pid}`;
  try {
    log(`seeding ${DEVICES} devices (${pg ? 'PostgreSQL' : 'PGlite'}) and their shadows …`);
    await seedBenchDistrict(registry, DEVICES);
    await writeShadows(redis.url, prefix);
    const config = loadConfig({ NODE_ENV: 'test', TW_REDIS_URL: redis.url, TW_KEY_PREFIX: prefix, TW_SECRET_KEY: SECRET, TW_PUBLIC_URL: 'http://tw.test' });
    const dashboard = createDashboard(config, { registry, masterSecret: SECRET, log: silentLogger() });
    const app = await dashboard.ready();
    const board = dashboard.api.live.board;
    await waitFor(() => board.size === DEVICES && board.get(deviceId(DEVICES - 1))?.telemetry, { timeoutMs: 60_000, what: 'the board holding every device with its shadow' });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: INSPECTOR });
    if (login.statusCode !== 200) throw new Error(`sign-in: ${login.statusCode} ${login.body}`);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;

    const measure = async (url: string, headers: Record<string, string>, expectStatus: number) => {
      const round = async () => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        let bytes = 0;
        for (let i = 0; i < REQUESTS; i++) {
          // the body as a stream, read and dropped as a socket would take it (inject's own concatenation and decoding
          // of the body into a string is no part of what the dashboard spends)
          const res = await app.inject({ method: 'GET', url, headers, payloadAsStream: true });
          if (res.statusCode !== expectStatus) throw new Error(`${url}: ${res.statusCode}`);
          for await (const chunk of res.stream()) bytes += (chunk as Buffer).length;
        }
        const c = process.cpuUsage(c0);
        return { cpu: (c.user + c.system) / REQUESTS, wall: ((performance.now() - t0) * 1000) / REQUESTS, bytes: bytes / REQUESTS };
      };
      await round();
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
      return { cpu: Math.round(median(rounds.map((r) => r.cpu))), wall: Math.round(median(rounds.map((r) => r.wall))), min: Math.round(Math.min(...rounds.map((r) => r.cpu))), kb: (rounds[0]!.bytes / 1024).toFixed(1) };
    };

    const rows: string[] = [];
    const floor = await measure('/api/v1/me', {}, 401);
    rows.push(`| floor: refused before any work (no cookie, 401) | ${floor.cpu} (min ${floor.min}) | ${floor.wall} | ${floor.kb} |`);
    for (const [name, url] of SHAPES.filter(([n]) => !values.only || n.includes(values.only))) {
      const m = await measure(url, { cookie }, 200);
      rows.push(`| ${name} | ${m.cpu} (min ${m.min}) | ${m.wall} | ${m.kb} |`);
      log(`${name}: ${m.cpu} µs CPU per request`);
    }
    console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · load ${loadavg().map((x) => x.toFixed(2)).join(' ')} · ${DEVICES} devices · ${pg ? 'PostgreSQL' : 'PGlite'} · ${REQUESTS} requests × ${ROUNDS} rounds`);
    console.log('| request (inspector, every device in scope) | CPU µs per request, median of rounds | wall µs | KB |\n| --- | --- | --- | --- |');
    for (const r of rows) console.log(r);
    await dashboard.stop();
  } finally {
    await registry.close();
    await Promise.all([redis.stop(), pg?.stop()]);
  }
  process.exit(0);
}

await main();
