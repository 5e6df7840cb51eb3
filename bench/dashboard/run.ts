/**
 * Dashboard benchmark (`npm run bench:dashboard [-- --devices 5000 --clients 500 --seconds 20 --quick] [--only alarms]
 * [--only fleet] [--alarms 1000000] [--explain plans.txt]`), on the
 * real path: the ingest benchmark's broker and ingest processes, N elevators publishing over MQTT, InfluxDB, Redis,
 * a PostgreSQL registry (PGlite inside the dashboard without it), the dashboard as its own process. Prints:
 *   1. board first render in Chromium with every device in scope (sign-in done; navigation → the counters show N
 *      devices and the table has rows), cold and warm;
 *   2. API list latency (GET /api/v1/devices, first pages with filters and sorts) at 200 req/s, open loop, while the
 *      fleet reports;
 *   3. live fan-out: C SSE clients, each watching a window of 50 rows (its viewport), while N devices report once a
 *      second each: lag p99 of the watched rows' telemetry (receive time − the reading's own time) and of status
 *      patches, bytes per second to the clients, dashboard CPU per device update, RSS per connected client;
 *   4. the alarm centre over 1,000,000 seeded alarms (PostgreSQL only; alarms-run.ts): filtered list pages and a
 *      district's monthly statistics, p50/p99. `--only alarms` runs this part alone, without the fleet;
 *      `--only fleet` runs parts 1–3 without it;
 *   5. the video wall (wall.ts): 16 tiles in one Chromium over WS-FLV from the relay in its own process: first frame
 *      per tile, Chromium's and the relay's CPU and RSS, stalls. `--only wall [--tiles 4]` runs this part alone.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openRegistry } from '@tianwang/core/registry';
import { createInfluxDatabase, freePort, startInflux, startPostgres, startRedis, type PostgresServer } from '@tianwang/core/testing';
import { childLines } from '../ingest/child-lines.js';
import { cpuSeconds } from '../ingest/measure.js';
import { launch } from '../launch.js';
import { checkPrereqs } from '../prereqs.js';
import { firstRender } from './first-render.js';
import { alarmsPart, printAlarms, type AlarmsFigures } from './alarms-run.js';
import { http, pct, session } from './http.js';
import { seedBenchDistrict } from './seed.js';
import { printWall, wallPart, type WallFigures } from './wall.js';

const skipped = checkPrereqs('dashboard');
const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '5000' }, clients: { type: 'string', default: '500' }, seconds: { type: 'string' }, quick: { type: 'boolean', default: false },
    // --only alarms: the alarm centre over the seeded history alone (no fleet); --alarms N its size; --explain FILE its plans
    only: { type: 'string' }, alarms: { type: 'string' }, explain: { type: 'string' },
    // --only wall: the video wall alone; --tiles N its size (1–16)
    tiles: { type: 'string', default: '16' },
  },
});
if (values.only !== undefined && !['alarms', 'fleet', 'wall'].includes(values.only)) throw new Error(`--only: "alarms", "fleet" or "wall", not "${values.only}"`);
const WALL_ONLY = values.only === 'wall';
const WALL_NEEDS = ['the video wall', 'the board first-render measurement', 'the PostgreSQL registry (PGlite inside the dashboard instead)'];
const ALARMS_ONLY = values.only === 'alarms';
const FLEET_ONLY = values.only === 'fleet';
const ALARMS = Number(values.alarms ?? (values.quick ? 200_000 : 1_000_000));
const DEVICES = Number(values.devices);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds ?? (values.quick ? 10 : 20));
const PREFIX = 'bdash';
const DB = 'bench_dashboard';
const SECRET = '0123456789abcdef0123456789abcdef';
const MASTER = 'bench-master-service-password-0123456789';
const HERE = new URL('.', import.meta.url).pathname;
const INGEST = new URL('../ingest/', import.meta.url).pathname;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

/** The dashboard's coalesced board updates so far (dashboard_live_updates_total: once each whatever the clients). */
async function boardUpdates(base: string): Promise<number> {
  const text = (await http('GET', `${base}/metrics`)).body;
  return Number(/^dashboard_live_updates_total(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1] ?? NaN);
}

/** Open loop: a request every 1000/rate ms whatever the answers do, so a slow answer shows as latency, not as fewer requests. */
async function apiLoad(base: string, cookie: string, rate: number, seconds: number) {
  const paths = ['/api/v1/devices?limit=100', '/api/v1/devices?limit=100&online=true', '/api/v1/devices?limit=100&sort=lastSeen&order=desc', '/api/v1/devices?limit=100&q=%E5%8E%8B%E6%B5%8B%E5%8D%95%E4%BD%8D7', '/api/v1/devices?limit=100&districtId=D3&kind=elevator', '/api/v1/board/summary'];
  const lat: number[] = [];
  const statuses = new Map<number, number>();
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t0 = performance.now();
    pending.push(http('GET', base + paths[i % paths.length]!, { cookie }).then((r) => {
      lat.push(performance.now() - t0);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }));
  }
  await Promise.all(pending);
  return { requests: lat.length, perS: Math.round(lat.length / seconds), p50: +pct(lat, 50).toFixed(1), p99: +pct(lat, 99).toFixed(1), max: +Math.max(...lat).toFixed(1), statuses: Object.fromEntries(statuses) };
}

async function webRoot(): Promise<{ dir: string; temp: boolean }> {
  const built = new URL('../../dashboard/dist/web/', import.meta.url).pathname;
  if (existsSync(join(built, 'index.html'))) return { dir: built, temp: false };
  log('dashboard/dist/web is missing: building the web app with Vite');
  const { build } = await import('vite');
  const dir = await mkdtemp(join(tmpdir(), 'tw-bench-web-'));
  await build({ configFile: new URL('../../dashboard/web/vite.config.ts', import.meta.url).pathname, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  return { dir, temp: true };
}

async function main() {
  if (WALL_ONLY) return wallAlone();
  log(`dashboard benchmark: ${DEVICES} devices, ${CLIENTS} live clients, ${SECONDS} s windows`);
  const [redis, influx] = await Promise.all([startRedis({ appendonly: true }), startInflux()]);
  await createInfluxDatabase(influx.url, DB);
  let pg: PostgresServer | undefined;
  if (!skipped.has('the PostgreSQL registry (PGlite inside the dashboard instead)')) {
    pg = await startPostgres();
    const reg = await openRegistry({ databaseUrl: pg.url });
    await seedBenchDistrict(reg, DEVICES);
    await reg.close();
  }
  const web = await webRoot();
  const results: Record<string, unknown> = { at: new Date().toISOString(), devices: DEVICES, clients: CLIENTS, seconds: SECONDS, machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, registry: pg ? 'PostgreSQL' : 'PGlite' };
  try {
    const mqttPort = await freePort();
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    const pipeline: ChildProcess[] = [];
    if (!ALARMS_ONLY) {
      pipeline.push(await launch([`${INGEST}procs.ts`, 'broker', String(mqttPort), redis.url, PREFIX, String(DEVICES + 1), SECRET, MASTER], { ready: 'READY' }));
      pipeline.push(await launch([`${INGEST}procs.ts`, 'ingest', redis.url, PREFIX, influx.url, DB, String(DEVICES + 1)], { ready: 'READY', v8: ['--max-semi-space-size=64'] }));
    }
    const explain = values.explain ? [`explain=${values.explain}`] : [];
    const dash = await launch([`${HERE}dashboard-proc.ts`, String(httpPort), redis.url, PREFIX, influx.url, DB, pg?.url ?? 'pglite', web.dir, String(DEVICES), ...explain], { ready: 'READY' });
    if (!ALARMS_ONLY) await fleetParts(base, mqttPort, dash, results);
    for (const k of pipeline) k.kill('SIGTERM');
    if (FLEET_ONLY) log('--only fleet: the alarm centre part is not run');
    else if (pg) results.alarms = await alarmsPart(pg.url, base, { alarms: ALARMS, requests: values.quick ? 50 : 200, statsRequests: values.quick ? 10 : 50, log });
    else log('the alarm centre over 1,000,000 alarms needs PostgreSQL (Debian package postgresql): skipped');
    dash.kill('SIGTERM');
  } finally {
    await Promise.all([redis.stop(), influx.stop(), pg?.stop()]);
    if (web.temp) await rm(web.dir, { recursive: true, force: true });
  }
  if (!FLEET_ONLY && !ALARMS_ONLY) results.wall = await wall();
  printResults(results);
  await mkdir(new URL('../results/', import.meta.url).pathname, { recursive: true });
  await writeFile(new URL('../results/dashboard-last-run.json', import.meta.url).pathname, JSON.stringify(results, null, 2));
  process.exit(0);
}

/** Part 5 when its prerequisites are there; a failure costs its own figures only (logged, the others printed). */
async function wall(): Promise<WallFigures | undefined> {
  const missing = WALL_NEEDS.filter((r) => skipped.has(r));
  if (missing.length) return void log(`the video wall needs chromium, ffmpeg and PostgreSQL: skipped`);
  try {
    return await wallPart({ tiles: Number(values.tiles), seconds: SECONDS, log });
  } catch (err) {
    return void log(`the video wall failed: ${(err as Error).stack ?? String(err)}`);
  }
}

async function wallAlone(): Promise<void> {
  const figures = await wall();
  if (!figures) process.exit(1);
  printWall(figures);
  await mkdir(new URL('../results/', import.meta.url).pathname, { recursive: true });
  await writeFile(new URL('../results/dashboard-wall-last-run.json', import.meta.url).pathname, JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2));
  process.exit(0);
}

/** The live board's parts: first render, API list under load, SSE fan-out, while N elevators report over MQTT. */
async function fleetParts(base: string, mqttPort: number, dash: ChildProcess, results: Record<string, unknown>): Promise<void> {
    log(`connecting ${DEVICES} devices …`);
    const gen = await launch([`${INGEST}loadgen.ts`, String(mqttPort), String(DEVICES), SECRET]);
    const genLine = childLines(gen, 'loadgen');
    await genLine();
    const step = async (seconds: number) => {
      gen.stdin!.write(`${DEVICES} ${seconds}\n`);
      return JSON.parse(await genLine()) as { sent: number; acked: number };
    };
    log('one round of readings so every row has a state');
    await step(2);
    const sessions = await Promise.all(Array.from({ length: 10 }, () => session(base)));
    const cookies = sessions.map((s) => s.cookie);

    if (!skipped.has('the board first-render measurement')) {
      log('board first render in Chromium …');
      results.firstRender = await firstRender(base, cookies[0]!, DEVICES);
      log(`first render: ${JSON.stringify(results.firstRender)}`);
    }

    log('API list at 200 req/s while the fleet reports …');
    const reporting = step(SECONDS + 2);
    await sleep(1000);
    results.api = await apiLoad(base, cookies[0]!, 200, SECONDS);
    await reporting;
    log(`api: ${JSON.stringify(results.api)}`);

    await sleep(2000);
    const rssIdle = rssMb(dash.pid!);
    log(`opening ${CLIENTS} live clients …`);
    const sse = await launch([`${HERE}sse-clients.ts`, base, String(CLIENTS), String(DEVICES), sessions.map((s) => `${s.cookie}|${s.csrf}`).join(',')]);
    const sseLine = childLines(sse, 'sse-clients');
    await sseLine();
    await sleep(3000);
    const rssClients = rssMb(dash.pid!);
    log(`fan-out: ${DEVICES} devices once a second, ${SECONDS} s …`);
    const reportingAgain = step(SECONDS);
    await sleep(2000);
    sse.stdin!.write('mark\n');
    const c0 = cpuSeconds(dash.pid!);
    const u0 = await boardUpdates(base);
    const t0 = Date.now();
    await sleep((SECONDS - 3) * 1000);
    const cpu = cpuSeconds(dash.pid!) - c0;
    const wall = (Date.now() - t0) / 1000;
    const boardUpdatesPerS = Math.round(((await boardUpdates(base)) - u0) / wall);
    sse.stdin!.write('report\n');
    const live = JSON.parse(await sseLine()) as Record<string, number>;
    const fleet = await reportingAgain;
    const updatesPerS = Math.min(DEVICES, fleet.acked / SECONDS);
    results.fanout = {
      ...live, eventsPerClientPerS: Math.round(live.events! / CLIENTS / wall), mbPerS: +(live.bytes! / wall / 1e6).toFixed(1),
      dashboardCpuPct: Math.round((cpu / wall) * 100), usPerDeviceUpdate: Math.round((cpu * 1e6) / (updatesPerS * wall)),
      // what the board actually flushed (the pipeline may deliver fewer than the fleet sent) and the CPU per flushed update
      boardUpdatesPerS, usPerBoardUpdate: Math.round((cpu * 1e6) / (boardUpdatesPerS * wall)),
      rssIdleMb: rssIdle, rssWithClientsMb: rssClients, kbPerClient: Math.round(((rssClients - rssIdle) * 1024) / CLIENTS), rssEndMb: rssMb(dash.pid!),
      fleetAcked: fleet.acked, fleetSent: fleet.sent, load1: loadavg()[0]!.toFixed(2),
    };
    log(`fan-out: ${JSON.stringify(results.fanout)}`);
    sse.stdin!.end();
    gen.stdin!.end();
}

function printResults(results: Record<string, unknown>): void {
  const fr = results.firstRender as Awaited<ReturnType<typeof firstRender>> | undefined;
  const api = results.api as Record<string, number> | undefined;
  const f = results.fanout as Record<string, number> | undefined;
  console.log(`\n${results.at} · ${results.machine} · ${DEVICES} devices · registry ${results.registry} · load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| measure | figure | target |\n| --- | --- | --- |');
  if (fr) console.log(`| board first render, ${DEVICES} devices (cold / warm) | ${fr.coldMs} ms / ${fr.warmMs.join(', ')} ms | < 1,500 ms |`);
  if (api) console.log(`| API list at ${api.perS} req/s: p50 / p99 / max | ${api.p50} / ${api.p99} / ${api.max} ms | p99 < 100 ms |`);
  if (f) {
    console.log(`| live lag of watched telemetry (50 rows each), ${f.clients} clients (${f.open} open), p50 / p99 / worst client's p99 | ${f.lagP50} / ${f.lagP99} / ${f.clientP99Worst} ms | p99 < 2,000 ms |`);
    console.log(`| live lag of status patches, p50 / p99 (${f.statusSamples} samples) | ${f.statusLagP50} / ${f.statusLagP99} ms | p99 < 2,000 ms |`);
    console.log(`| events per client per s · bytes to clients | ${f.eventsPerClientPerS} · ${f.mbPerS} MB/s | 1/s (one per flush) |`);
    console.log(`| dashboard CPU · per device update sent · per board update flushed (${f.boardUpdatesPerS}/s) | ${f.dashboardCpuPct} % of a core · ${f.usPerDeviceUpdate} µs · ${f.usPerBoardUpdate} µs | — |`);
    console.log(`| dashboard RSS idle → with clients → end · per client | ${f.rssIdleMb} → ${f.rssWithClientsMb} → ${f.rssEndMb} MB · ${f.kbPerClient} KB | — |`);
  }
  if (fr?.cold) {
    const c = fr.cold;
    console.log(`\ncold load in the page's own clock (ms after navigation start): usable at ${c.doneMs}; ${c.assetKb} KB of JS and CSS; main-thread tasks over 50 ms: ${c.longTasks.count}, ${c.longTasks.ms} ms`);
    for (const p of c.phases) console.log(`  ${String(p.from).padStart(5)} – ${String(p.to).padStart(5)}  ${p.what}`);
  }
  if (results.alarms) printAlarms(results.alarms as AlarmsFigures);
  if (results.wall) printWall(results.wall as WallFigures);
}

await main();
