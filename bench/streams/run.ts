/**
 * Stream relay benchmark: this relay (auth on, health and recording off) against nginx with Debian's RTMP
 * module, in one run, on other ports. Scenarios: one 1 Mbit/s 640×360 stream with 10/50/100 RTMP players,
 * and 20 publishers with one player each. Server CPU (% of one core, from /proc) and RSS per scenario;
 * time to first frame and glass-to-glass delay of a probe player. Players are `ffmpeg -c copy -f null`
 * over RTMP on both sides (like for like; our browsers use HTTP-/WS-FLV through the same relay).
 * Glass-to-glass: the test picture has a corner that turns white every even second of stream time (and a
 * burnt-in clock for people); the probe decodes that corner and notes when it flips, against the moment
 * the live encoder was started (so it includes encoder start-up, a slight over-estimate).
 * Usage: npm run bench:streams [-- --quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { freePort } from '@tianwang/core/testing';
import { signPlay } from '../../streams/src/play-signing.js';
import { deriveKey } from '@tianwang/core/crypto';

const quick = process.argv.includes('--quick');
const PLAYERS = quick ? [10, 50] : [10, 50, 100];
const PUBLISHERS = quick ? 10 : 20;
const MEASURE_MS = quick ? 5000 : 10_000;
const SECRET = 'b'.repeat(40);
const kids = new Set<ChildProcess>();
process.on('exit', () => kids.forEach((k) => k.kill('SIGKILL')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], opts: { stdout?: boolean } = {}): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'ignore'] });
  kids.add(c);
  c.once('exit', () => kids.delete(c));
  return c;
}
const ff = (args: string[], o?: { stdout?: boolean }) => run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], o);

function cpuTicks(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return t;
}
function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return Math.round(kb / 1024);
}
async function measure(pids: () => number[]): Promise<{ cpu: number; rss: number }> {
  const t0 = cpuTicks(pids());
  const w0 = Date.now();
  await sleep(MEASURE_MS);
  const cpu = ((cpuTicks(pids()) - t0) / 100 / ((Date.now() - w0) / 1000)) * 100;
  return { cpu: Math.round(cpu * 10) / 10, rss: rssMb(pids()) };
}

interface Target { name: string; idleRss?: number; pids: () => number[]; publishUrl(i: number): string; playUrl(i: number): string; stop(): Promise<void> }

async function startRelay(): Promise<Target> {
  const rtmp = await freePort();
  const http = await freePort();
  const dir = join(tmpdir(), `tw-bench-relay-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const child = run('node', ['--conditions=@tianwang/source', '--import', 'tsx', join(import.meta.dirname, 'relay-server.ts'), String(rtmp), String(http), dir, SECRET, String(PUBLISHERS + 1)], { stdout: true });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error('relay exited')));
  });
  const key = deriveKey(SECRET, 'play-url');
  return {
    name: 'tianwang relay (node-media-server 4.4.3 + auth)',
    pids: () => [child.pid!],
    publishUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}?token=secret-${i}`,
    playUrl: (i) => `rtmp://127.0.0.1:${rtmp}/live/cam-${i}?${signPlay(key, `cam-${i}`, 3600, 'i').query}`,
    async stop() {
      child.kill('SIGTERM');
      await sleep(500);
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
function liveEncoder(url: string): { child: ChildProcess; startedAt: number } {
  const vf = `drawbox=x=0:y=0:w=160:h=90:color=white:t=fill:enable='lt(mod(t\\,2)\\,1)'` + (existsFont() ? `,drawtext=fontfile=${FONT}:text='%{localtime\\:%T}':x=200:y=20:fontsize=32:fontcolor=yellow` : '');
  const startedAt = Date.now();
  const child = ff(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-vf', vf, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '1M', '-maxrate', '1M', '-bufsize', '1M', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'flv', url]);
  return { child, startedAt };
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

async function scenarios(target: Target, clip: string): Promise<Record<string, string | number>[]> {
  const rows: Record<string, string | number>[] = [];
  target.idleRss = rssMb(target.pids());
  const enc = liveEncoder(target.publishUrl(0));
  await sleep(2500);
  const players: ChildProcess[] = [];
  for (const n of PLAYERS) {
    while (players.length < n) players.push(ff(['-analyzeduration', '500000', '-i', target.playUrl(0), '-c', 'copy', '-f', 'null', '-']));
    await sleep(3000);
    const m = await measure(target.pids);
    const p = await probe(target.playUrl(0), enc.startedAt);
    rows.push({ server: target.name, scenario: `1 stream, ${n} players`, cpu: m.cpu, rss: m.rss, idleRss: target.idleRss, ttff: p.ttffMs, g2g: p.g2gMs });
    console.log(JSON.stringify(rows.at(-1)));
  }
  players.forEach((p) => p.kill('SIGKILL'));
  enc.child.kill('SIGKILL');
  await sleep(1000);
  const pubs: ChildProcess[] = [];
  for (let i = 1; i <= PUBLISHERS; i++) pubs.push(ff(['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', target.publishUrl(i)]));
  await sleep(2500);
  for (let i = 1; i <= PUBLISHERS; i++) players.push(ff(['-analyzeduration', '500000', '-i', target.playUrl(i), '-c', 'copy', '-f', 'null', '-']));
  await sleep(3000);
  const m = await measure(target.pids);
  rows.push({ server: target.name, scenario: `${PUBLISHERS} publishers, 1 player each`, cpu: m.cpu, rss: m.rss, idleRss: target.idleRss ?? 0, ttff: '', g2g: '' });
  console.log(JSON.stringify(rows.at(-1)));
  [...players, ...pubs].forEach((p) => p.kill('SIGKILL'));
  await sleep(1000);
  return rows;
}

const clip = join(tmpdir(), `tw-bench-clip-${process.pid}.flv`);
await new Promise<void>((resolve) => ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '1M', '-maxrate', '1M', '-bufsize', '1M', '-g', '25', '-pix_fmt', 'yuv420p', '-y', clip]).once('exit', () => resolve()));
const rows: Record<string, string | number>[] = [];
for (const start of [startRelay, startNginx]) {
  const target = await start();
  try {
    rows.push(...(await scenarios(target, clip)));
  } finally {
    await target.stop();
  }
}
await rm(clip, { force: true });
console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}${quick ? ' · --quick' : ''}`);
console.log('| server | scenario | CPU % of a core | RSS MB (idle) | first frame ms | glass-to-glass ms |\n| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.server} | ${r.scenario} | ${r.cpu} | ${r.rss} (${r.idleRss}) | ${r.ttff} | ${r.g2g} |`);
process.exit(0);
