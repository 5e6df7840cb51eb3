/**
 * Public HLS viewers of one kitchen (issue #17): N consumers watching the same camera through the relay's public
 * path (signed `aud=p` URLs by alias, as the public kitchen page hands them out), against nginx serving the very same
 * HLS files statically (no signature, no Node: the floor). One live 1 Mbit/s 640×360 encoder publishes into the relay,
 * whose packager writes 1-second segments; nginx's root is that folder. The viewers run in this process, spread over
 * worker threads (hls-viewer-pool.ts; one per 250 viewers, at most 2): each fetches the playlist every segment
 * duration (jittered) and every segment it has not fetched yet (at the start only the last three, like a player
 * joining live). Server CPU (% of one core, median of windows from /proc) and RSS; the viewers' request rate, bytes,
 * errors and segment fetch times (p50/p95); the viewers' own CPU and how busy each viewer thread was (near 100 %: the
 * viewers, not the server, set the pace).
 * Usage: npm run bench:streams-hls [-- --viewers=500] [--window-ms=5000] [--targets=relay,nginx] [--viewer-threads=N]
 * (the relay and the viewers share the machine: with 2 cores, 500 viewers' own fetching CPU is part of the picture)
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveKey, publicAlias, signPlay } from '@tianwang/core/crypto';
import { freePort, startPostgres } from '@tianwang/core/testing';
import { checkPrereqs } from '../prereqs.js';
import { Worker } from 'node:worker_threads';
import { stats, viewer, type Report } from './hls-viewer-pool.js';
import { ff, measure, rssMb, run, sleep, startNode, stopChild } from './procs.js';

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const VIEWERS = Number(option('viewers') ?? 500);
const WINDOWS = 5;
const WINDOW_MS = Number(option('window-ms') ?? 5000);
const TARGETS = option('targets')?.split(',') ?? ['relay', 'nginx'];
// viewer threads: one per 250 viewers, at most 2 (the machine has 2 cores, shared with the server measured)
const THREADS = Number(option('viewer-threads') ?? Math.min(2, Math.ceil(VIEWERS / 250)));
const POOL = new URL('./hls-viewer-pool.ts', import.meta.url).href;
// a worker thread does not inherit the --import tsx hook: it registers tsx itself, then loads the TypeScript pool
const BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(POOL)}); })`;
const SECRET = 'h'.repeat(40);
const skipped = checkPrereqs('streams');

/** errors by kind in the measured window (all threads) */
function kindsBetween(before: Report[], after: Report[]): string {
  const n = new Map<string, number>();
  after.forEach((r, i) => Object.entries(r.kinds).forEach(([k, v]) => n.set(k, (n.get(k) ?? 0) + v - (before[i]!.kinds[k] ?? 0))));
  return [...n].filter(([, v]) => v > 0).map(([k, v]) => `${k}: ${v}`).join(', ');
}
const pct = (xs: number[], p: number) => (xs.length ? Math.round(xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!) : -1);

async function startNginx(root: string): Promise<{ url: string; pids: () => number[]; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = join(tmpdir(), `tw-bench-hls-nginx-${process.pid}`);
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFile(join(dir, 'nginx.conf'), `daemon off; master_process on; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server { listen 127.0.0.1:${port}; root ${root}; location / { add_header cache-control no-store; } } }
`);
  const child = run('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')]);
  await sleep(800);
  if (child.exitCode !== null || child.pid === undefined) throw new Error('nginx did not start');
  // master + worker: the worker does the serving
  const pids = () => {
    try {
      return [child.pid!, ...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
    } catch {
      return [child.pid!];
    }
  };
  return { url: `http://127.0.0.1:${port}`, pids, async stop() { child.kill('SIGTERM'); await sleep(500); await rm(dir, { recursive: true, force: true }); } };
}

const rtmp = await freePort();
const http = await freePort();
const dataDir = join(tmpdir(), `tw-bench-hls-relay-${process.pid}`);
await mkdir(dataDir, { recursive: true });
// the registry in its own PostgreSQL process, as in production, so that the RSS is the relay's own
const pg = skipped.has('the PostgreSQL registry (the relay runs on embedded PGlite instead)') ? undefined : await startPostgres();
const relay = await startNode('relay-server.ts', [String(rtmp), String(http), dataDir, SECRET, '1', pg?.url ?? '', '']);
const key = deriveKey(SECRET, 'play-url');
const publicUrl = () => `http://127.0.0.1:${http}/hls/pub/${publicAlias(key, 'cam-0')}/index.m3u8?${signPlay(key, 'cam-0', 3600, 'p').query}`;
const enc = ff(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '1M', '-maxrate', '1M', '-bufsize', '1M', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'flv', `rtmp://127.0.0.1:${rtmp}/live/cam-0?token=secret-0`]);
// the packager starts on the first playlist request and answers 503 until its first segments exist
const keepAlive = { done: false };
const warm = stats();
void viewer(publicUrl(), warm, keepAlive);
for (let i = 0; i < 100 && warm.bytes === 0; i++) await sleep(200);
if (warm.bytes === 0) throw new Error('the relay never served an HLS segment');

const rows: Record<string, string | number>[] = [];
const nginx = TARGETS.includes('nginx') && !skipped.has('the nginx-rtmp comparison') ? await startNginx(join(dataDir, 'hls')) : undefined;
for (const name of TARGETS) {
  const target = name === 'relay' ? { pids: () => [relay.pid!], url: publicUrl() } : nginx ? { pids: nginx.pids, url: `${nginx.url}/cam-0/index.m3u8` } : undefined;
  if (!target) continue;
  const idleRss = rssMb(target.pids());
  const pool = Array.from({ length: THREADS }, (_, i) => new Worker(BOOT, { eval: true, workerData: { url: target.url, count: Math.floor(VIEWERS / THREADS) + (i < VIEWERS % THREADS ? 1 : 0) } }));
  const failed = new Promise<never>((_, reject) => pool.forEach((w) => w.once('error', (err) => reject(new Error(`a viewer thread failed: ${err.message}`)))));
  failed.catch(() => {});
  const report = () => Promise.race([failed, Promise.all(pool.map((w) => new Promise<Report>((resolve) => (w.once('message', resolve), w.postMessage('report')))))]);
  const sum = (rs: Report[], k: 'requests' | 'bytes' | 'errors') => rs.reduce((a, r) => a + r[k], 0);
  await sleep(4000); // everyone joined and past the first fetches
  pool.forEach((w) => w.postMessage('mark'));
  const before = await report();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const [m] = await measure([target], WINDOWS, WINDOW_MS);
  const secs = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const after = await report();
  // the viewers' own CPU (this process, all its threads) and how busy each viewer thread's event loop was: a thread
  // near 1 (100 %) is the bottleneck, not the server
  const clientCpu = Math.round(((c1.user + c1.system) / 1e6 / secs) * 1000) / 10;
  const segMs = after.flatMap((r) => r.segMs);
  rows.push({
    target: name, server: name === 'relay' ? 'tianwang relay (public signed HLS by alias)' : 'nginx (the same files, static)', viewers: VIEWERS, cpu: m!.cpu, spread: `${m!.lo}–${m!.hi}`, rss: m!.rss, idleRss,
    reqPerS: Math.round((sum(after, 'requests') - sum(before, 'requests')) / secs), mbitPerS: Math.round(((sum(after, 'bytes') - sum(before, 'bytes')) * 8) / secs / 1e5) / 10,
    errors: sum(after, 'errors') - sum(before, 'errors'), segP50: pct(segMs, 0.5), segP95: pct(segMs, 0.95), clientCpu,
    errorKinds: kindsBetween(before, after), threadBusy: after.map((r) => `${Math.round(r.elu * 100)} %`).join(', '), load: loadavg()[0]!.toFixed(2),
  });
  console.log(JSON.stringify(rows.at(-1)));
  pool.forEach((w) => w.postMessage('stop'));
  await Promise.all(pool.map((w) => new Promise((r) => w.once('exit', r))));
}
keepAlive.done = true;
enc.kill('SIGKILL');
await nginx?.stop();
await stopChild(relay);
await pg?.stop();
await rm(dataDir, { recursive: true, force: true });
console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${VIEWERS} viewers of one camera · CPU: median of ${WINDOWS} × ${WINDOW_MS / 1000} s (lowest–highest)`);
console.log('| server | viewers | CPU % of a core | (lo–hi) | RSS MB (idle) | requests/s | Mbit/s served | errors | segment fetch p50 / p95 ms | viewer process CPU % (viewer threads busy) | load 1 min |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.server} | ${r.viewers} | ${r.cpu} | ${r.spread} | ${r.rss} (${r.idleRss}) | ${r.reqPerS} | ${r.mbitPerS} | ${r.errors}${r.errorKinds ? ` (${r.errorKinds})` : ''} | ${r.segP50} / ${r.segP95} | ${r.clientCpu} (${r.threadBusy}) | ${r.load} |`);
const [ours, floor] = [rows.find((r) => r.target === 'relay'), rows.find((r) => r.target === 'nginx')];
if (ours && floor) console.log(`relay / nginx: CPU ${(Number(ours.cpu) / Math.max(0.1, Number(floor.cpu))).toFixed(1)}×, requests/s ${ours.reqPerS} / ${floor.reqPerS}, RSS ${ours.rss} / ${floor.rss} MB`);
process.exit(0);
