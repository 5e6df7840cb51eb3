/**
 * Stream relay benchmark: this relay (auth on, health and recording off) against stock node-media-server 4.4.3
 * (the floor: what the relay is built on) and nginx with Debian's RTMP module, in one run, on other ports. Scenarios: one 1 Mbit/s 640×360 stream with 10/50/100 RTMP players,
 * and 20 publishers with one player each. Server CPU (% of one core, from /proc) and RSS per scenario;
 * time to first frame and glass-to-glass delay of a probe player. Players are `ffmpeg -c copy -f null`
 * over RTMP on both sides (like for like; our browsers use HTTP-/WS-FLV through the same relay).
 * Glass-to-glass: the test picture has a corner that turns white every even second of stream time (and a
 * burnt-in clock for people); the probe decodes that corner and notes when it flips, against the moment
 * the live encoder was started (so it includes encoder start-up, a slight over-estimate).
 * CPU is the server process's own (utime + stime of its pid, nginx: master + worker), sampled only once players
 * are connected and settled (start-up excluded), as the median of several windows (a few % of a core is noisy).
 * The relay's registry is a PostgreSQL server in another process, as in production (`--pglite`: embedded PGlite,
 * the development default, for comparison), so its RSS is the relay's own.
 * Usage: npm run bench:streams [-- --quick] [--players=10,50,100] [--targets=relay,nms,nginx,relay@<write batch ms>] [--pglite] [--together] [--cpu-prof] [--node-flags=…]
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { loadavg } from 'node:os';
import { freePort, startPostgres } from '@tianwang/core/testing';
import { signPlay } from '@tianwang/streams';
import { deriveKey } from '@tianwang/core/crypto';
import { checkPrereqs } from '../prereqs.js';
import { ff, measure, rssMb, run, sleep, startNode, stopChild, type Cpu } from './procs.js';

const quick = process.argv.includes('--quick');
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const PLAYERS = option('players')?.split(',').map(Number) ?? (quick ? [10, 50] : [10, 50, 100]);
// a missing peer is one line up front and its target is left out; the other servers are still measured
const skipped = checkPrereqs('streams');
const notRun: string[] = [];
const TARGETS = (option('targets')?.split(',') ?? ['relay', 'nms', 'nginx']).filter((t) => {
  if (t !== 'nginx' || !skipped.has('the nginx-rtmp comparison')) return true;
  notRun.push('nginx: not installed (Debian packages nginx, libnginx-mod-rtmp)');
  return false;
});
const PGLITE = process.argv.includes('--pglite') || skipped.has('the PostgreSQL registry (the relay runs on embedded PGlite instead)');
const PUBLISHERS = Number(option('publishers') ?? (quick ? 10 : 20));
// a few % of a core swings by a point between seconds on a shared VM (wake-ups of player processes dominate):
// 5 windows and their median, with the spread reported
const WINDOWS = 5;
const WINDOW_MS = Number(option('window-ms') ?? (quick ? 3000 : 6000));
const SECRET = 'b'.repeat(40);
interface Target { name: string; idleRss?: number; pids: () => number[]; publishUrl(i: number): string; playUrl(i: number): string; stop(): Promise<void> }

/** `relay` as configured by default, `relay@0` with write batching off, `relay@200` with 200 ms batches. */
async function startRelay(variant?: string): Promise<Target> {
  const rtmp = await freePort();
  const http = await freePort();
  const dir = join(tmpdir(), `tw-bench-relay-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const pglite = PGLITE;
  const pg = pglite ? undefined : await startPostgres();
  const child = await startNode('relay-server.ts', [String(rtmp), String(http), dir, SECRET, String(PUBLISHERS + 1), pg?.url ?? '', variant ?? '']);
  const key = deriveKey(SECRET, 'play-url');
  return {
    name: `tianwang relay (node-media-server 4.4.3 + auth${pglite ? ', PGlite inside' : ''}${variant ? `, write batch ${variant} ms` : ''})`,
    pids: () => [child.pid!],
    publishUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}?token=secret-${i}`,
    playUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}?${signPlay(key, `cam-${i}`, 3600, 'i').query}`,
    async stop() {
      await stopChild(child);
      await pg?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startStockNms(): Promise<Target> {
  const rtmp = await freePort();
  const dir = join(tmpdir(), `tw-bench-nms-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const child = await startNode('stock-nms-server.ts', [String(rtmp), dir]);
  return {
    name: 'node-media-server 4.4.3 (stock, no auth)',
    pids: () => [child.pid!],
    publishUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}`,
    playUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}`,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startNginx(): Promise<Target> {
  const rtmp = await freePort();
  const dir = join(tmpdir(), `tw-bench-nginx-${process.pid}`);
  await mkdir(join(dir, 'logs'), { recursive: true });
  const conf = `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process on; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
rtmp { server { listen 127.0.0.1:${rtmp}; chunk_size 4096; application live { live on; record off; } } }
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child = run('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')]);
  await sleep(800);
  if (child.exitCode !== null || child.pid === undefined) {
    const log = await readFile(join(dir, 'logs/error.log'), 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start${log ? `: ${log.trim().split('\n').at(-1)}` : ''}`);
  }
  // master + worker: the worker does the streaming
  const workers = () => {
    try {
      return [child.pid!, ...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
    } catch {
      return [child.pid!];
    }
  };
  return {
    name: 'nginx + libnginx-mod-rtmp (Debian)',
    pids: workers,
    publishUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}`,
    playUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}`,
    async stop() {
      child.kill('SIGTERM');
      await sleep(500);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
/** One live x264 encoder; with several targets its output goes to all of them (tee), so they serve the same stream. */
function liveEncoder(urls: string[]): { child: ChildProcess; startedAt: number } {
  const vf = `drawbox=x=0:y=0:w=160:h=90:color=white:t=fill:enable='lt(mod(t\\,2)\\,1)'` + (existsFont() ? `,drawtext=fontfile=${FONT}:text='%{localtime\\:%T}':x=200:y=20:fontsize=32:fontcolor=yellow` : '');
  const startedAt = Date.now();
  const child = ff(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-vf', vf, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '1M', '-maxrate', '1M', '-bufsize', '1M', '-g', '25', '-pix_fmt', 'yuv420p', ...toAll(urls)]);
  return { child, startedAt };
}
/** ffmpeg output arguments for one FLV/RTMP destination or, with several, a tee muxer to each. */
function toAll(urls: string[]): string[] {
  return urls.length === 1 ? ['-f', 'flv', urls[0]!] : ['-map', '0:v', '-f', 'tee', urls.map((u) => `[f=flv:onfail=ignore]${u}`).join('|')];
}
function existsFont(): boolean {
  try {
    readFileSync(FONT);
    return true;
  } catch {
    return false;
  }
}

/** First frame time and glass-to-glass delay seen by one probe player. */
async function probe(url: string, encoderStart: number): Promise<{ ttffMs: number; g2gMs: number }> {
  const t0 = Date.now();
  const c = ff(['-fflags', 'nobuffer', '-analyzeduration', '200000', '-probesize', '65536', '-i', url, '-vf', 'crop=160:90:0:0,scale=8:8,format=gray', '-f', 'rawvideo', 'pipe:1'], { stdout: true });
  let ttff = -1;
  const delays: number[] = [];
  let buf = Buffer.alloc(0);
  let prevWhite: boolean | undefined;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 9000);
    c.stdout!.on('data', (b: Buffer) => {
      const now = Date.now();
      if (ttff < 0) ttff = now - t0;
      buf = Buffer.concat([buf, b]);
      while (buf.length >= 64) {
        const frame = buf.subarray(0, 64);
        buf = buf.subarray(64);
        const white = frame.reduce((a, v) => a + v, 0) / 64 > 128;
        if (prevWhite === false && white) {
          // white starts at every even second of stream time, emitted (with -re) at encoderStart + t
          const since = now - encoderStart;
          const edge = Math.floor(since / 2000) * 2000;
          delays.push(since - edge);
          if (delays.length >= 3) {
            clearTimeout(timer);
            resolve();
          }
        }
        prevWhite = white;
      }
    });
  });
  c.kill('SIGKILL');
  delays.sort((a, b) => a - b);
  return { ttffMs: ttff, g2gMs: delays[Math.floor(delays.length / 2)] ?? -1 };
}

const player = (url: string) => ff(['-analyzeduration', '500000', '-i', url, '-c', 'copy', '-f', 'null', '-']);

/** All scenarios, with every target serving the same players and publishers at the same time. */
async function scenarios(targets: Target[], clip: string): Promise<Record<string, string | number>[]> {
  const rows: Record<string, string | number>[] = [];
  const row = (t: Target, scenario: string, m: Cpu, extra: { ttff: number | string; g2g: number | string }) => {
    rows.push({ server: t.name, scenario, cpu: m.cpu, spread: `${m.lo}–${m.hi}`, load: loadavg()[0]!.toFixed(2), rss: m.rss, idleRss: t.idleRss ?? 0, ...extra });
    console.log(JSON.stringify(rows.at(-1)));
  };
  for (const t of targets) t.idleRss = rssMb(t.pids());
  const enc = liveEncoder(targets.map((t) => t.publishUrl(0)));
  await sleep(2500);
  const players: ChildProcess[] = [];
  for (const [k, n] of PLAYERS.entries()) {
    for (const t of targets) for (let i = PLAYERS[k - 1] ?? 0; i < n; i++) players.push(player(t.playUrl(0)));
    await sleep(3000);
    const m = await measure(targets, WINDOWS, WINDOW_MS);
    for (const [j, t] of targets.entries()) {
      const p = await probe(t.playUrl(0), enc.startedAt);
      row(t, `1 stream, ${n} players`, m[j]!, { ttff: p.ttffMs, g2g: p.g2gMs });
    }
  }
  players.splice(0).forEach((p) => p.kill('SIGKILL'));
  enc.child.kill('SIGKILL');
  await sleep(1000);
  const pubs: ChildProcess[] = [];
  for (let i = 1; i <= PUBLISHERS; i++) pubs.push(ff(['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', ...toAll(targets.map((t) => t.publishUrl(i)))]));
  await sleep(2500);
  for (const t of targets) for (let i = 1; i <= PUBLISHERS; i++) players.push(player(t.playUrl(i)));
  await sleep(3000);
  const m = await measure(targets, WINDOWS, WINDOW_MS);
  targets.forEach((t, j) => row(t, `${PUBLISHERS} publishers, 1 player each`, m[j]!, { ttff: '', g2g: '' }));
  [...players, ...pubs].forEach((p) => p.kill('SIGKILL'));
  await sleep(1000);
  return rows;
}

const clip = join(tmpdir(), `tw-bench-clip-${process.pid}.flv`);
await new Promise<void>((resolve) => ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '1M', '-maxrate', '1M', '-bufsize', '1M', '-g', '25', '-pix_fmt', 'yuv420p', '-y', clip]).once('exit', () => resolve()));
const rows: Record<string, string | number>[] = [];
const starters: Record<string, (variant?: string) => Promise<Target>> = { relay: startRelay, nms: startStockNms, nginx: startNginx };
// one target after the other by default: all at once (--together) keeps background drift out of the ratio, but
// 100 players per target at once overloads 2 cores (load 20: the players' own CPU distorts every figure)
const together = process.argv.includes('--together');
const groups = together ? [TARGETS] : TARGETS.map((t) => [t]);
for (const group of groups) {
  const targets: Target[] = [];
  try {
    for (const spec of group) {
      const [name, variant] = spec.split('@') as [string, string | undefined];
      targets.push(await starters[name]!(variant));
    }
    rows.push(...(await scenarios(targets, clip)));
  } catch (err) {
    // one server failing (a missing binary, a crash) costs its own figures only
    notRun.push(`${group.join(', ')}: ${(err as Error).message}`);
    console.error(`bench:streams: ${group.join(', ')} failed: ${(err as Error).message}; going on with the rest`);
  } finally {
    for (const t of targets) await t.stop();
  }
}
await rm(clip, { force: true });
console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}${quick ? ' · --quick' : ''}${together ? ' · all targets at once' : ' · one target after the other'} · CPU: median of ${WINDOWS} × ${WINDOW_MS / 1000} s (lowest–highest)`);
console.log('| server | scenario | CPU % of a core | (lo–hi) | load 1 min | RSS MB (idle) | first frame ms | glass-to-glass ms |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.server} | ${r.scenario} | ${r.cpu} | ${r.spread} | ${r.load} | ${r.rss} (${r.idleRss}) | ${r.ttff} | ${r.g2g} |`);
// ratios against nginx-rtmp, scenario by scenario
const nginx = new Map(rows.filter((r) => String(r.server).startsWith('nginx')).map((r) => [r.scenario, Number(r.cpu)]));
for (const r of rows.filter((x) => !String(x.server).startsWith('nginx'))) {
  const base = nginx.get(r.scenario);
  if (base) console.log(`${r.server} · ${r.scenario}: ${(Number(r.cpu) / base).toFixed(2)}× nginx-rtmp`);
}
for (const line of notRun) console.log(`not measured: ${line}`);
await mkdir(join(import.meta.dirname, '../results'), { recursive: true });
await writeFile(join(import.meta.dirname, '../results/streams-last-run.json'), JSON.stringify({ at: new Date().toISOString(), quick, rows }, null, 2));
process.exit(0);
