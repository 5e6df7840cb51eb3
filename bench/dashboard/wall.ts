/**
 * The 16-tile video wall in one Chromium (issue #17; `npm run bench:dashboard -- --only wall [--tiles 16]
 * [--seconds 20]`). Real parts: the dashboard with the browser tests' kitchen world (dashboard/test/browser/
 * kitchen-stack.ts, registry in PostgreSQL), the relay as a process of its own on that registry (bench/streams/
 * relay-server.ts, started with bench/launch.ts), one RTMP publisher per camera, and Debian's Chromium with the browser
 * tests' flags (dashboard/test/browser/chromium.ts) showing the inspector's wall at `layout=16` over WS-FLV.
 * Publishers: `ffmpeg -re -stream_loop -1 -c copy` of one pre-encoded 320×180 10 fps clip each (as bench:streams'
 * 20-publisher case): 16 live x264 encoders would take most of 2 cores and their CPU would be the picture.
 * Prints: first frame per tile (navigation start → the tile's <video> has currentTime > 0, measured in the page),
 * then, once every tile plays, Chromium's CPU (every process of its tree) and the relay's, % of one core as the median
 * of windows, their RSS, and each tile's progress: a stall is a 1 s sample in which its currentTime did not advance.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launch as launchChromium } from '../../dashboard/test/browser/chromium.js';
import { startKitchenWorld } from '../../dashboard/test/browser/kitchen-stack.js';
import { signIn } from '../../dashboard/test/browser/session.js';
import { SECRET } from '../../dashboard/test/helpers/world.js';
import { deriveKey } from '@tianwang/core/crypto';
import { signPlay } from '@tianwang/streams';
import { launch } from '../launch.js';
import { ff, measure, sleep } from '../streams/procs.js';

export interface WallOptions { tiles: number; seconds: number; log: (s: string) => void }
export interface WallFigures {
  tiles: number; firstFrameMs: Record<string, number>; firstFrameP50: number; firstFrameMax: number;
  browserCpu: { cpu: number; lo: number; hi: number }; relayCpu: { cpu: number; lo: number; hi: number };
  browserRssMb: number; browserPssMb: number; relayRssMb: number; browserProcesses: number;
  samples: number; stalls: Record<string, number>; advancedS: Record<string, number>; windowS: number; load1: string;
}

const WINDOWS = 5;
const RELAY = new URL('../streams/relay-server.ts', import.meta.url).pathname;

/** Every process under `root` (children, their children, …) whose command name matches. */
function descendants(root: number, comm: RegExp): number[] {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      name.set(Number(d), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...name].filter(([pid, n]) => comm.test(n) && under(pid)).map(([pid]) => pid);
}

/**
 * Installed before the wall's scripts: notes, per camera, the first moment (performance.now(), i.e. since navigation
 * start) its tile's <video> has currentTime > 0, every 20 ms until all `n` tiles did (then it stops, so it costs
 * nothing in the measured windows). Runs in the page: the DOM exists there, not in this node typecheck.
 */
function firstFrameProbe(n: number): void {
  const w = globalThis as unknown as { __firstFrame: Record<string, number>; document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(a: string): string | null; querySelector(s: string): { currentTime: number } | null }> } };
  w.__firstFrame = {};
  const timer = setInterval(() => {
    for (const tile of Array.from(w.document.querySelectorAll('[data-test=wall] .tile'))) {
      const cam = tile.getAttribute('data-camera');
      if (cam && w.__firstFrame[cam] === undefined && (tile.querySelector('video')?.currentTime ?? 0) > 0) w.__firstFrame[cam] = performance.now();
    }
    if (Object.keys(w.__firstFrame).length >= n) clearInterval(timer);
  }, 20);
}

/** The relay answers a signed HTTP-FLV play of a camera with 200 once its publisher is live (404 before). */
async function isLive(url: string): Promise<boolean> {
  const ac = new AbortController();
  try {
    return (await fetch(url, { signal: ac.signal })).status === 200;
  } catch {
    return false;
  } finally {
    ac.abort();
  }
}

/** Proportional set size (MB) of the processes: shared pages split among them, so a process tree is not counted twice. */
function pssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return Math.round(kb / 1024);
}

const times = (p: Page) => p.locator('[data-test=wall] .tile video').evaluateAll((vs) => vs.map((v) => (v as unknown as { currentTime: number }).currentTime));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function wallPart(o: WallOptions): Promise<WallFigures> {
  const cameras = Array.from({ length: o.tiles }, (_, i) => `CAM-W${String(i + 1).padStart(2, '0')}`);
  const layout = [1, 4, 9, 16].find((l) => l >= o.tiles);
  if (!layout) throw new Error(`--tiles: at most 16, not ${o.tiles}`);
  const kw = await startKitchenWorld({ cameras, backend: 'postgres' });
  const dataDir = join(tmpdir(), `tw-bench-wall-${process.pid}`);
  await mkdir(dataDir, { recursive: true });
  const clip = join(dataDir, 'clip.flv');
  const kids: ChildProcess[] = [];
  let relay: ChildProcess | undefined;
  const browser = await launchChromium({ width: 1920, height: 1080 });
  try {
    // argument 5 (cameras to seed) 0: the kitchen world seeded K1's cameras in the shared registry
    relay = await launch([RELAY, String(kw.rtmpPort), String(kw.relayPort), join(dataDir, 'relay'), SECRET, '0', kw.world.databaseUrl!, ''], { ready: 'ready' });
    await new Promise<void>((resolve, reject) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', '-y', clip]).once('exit', (c) => (c === 0 ? resolve() : reject(new Error(`encoding the clip: ffmpeg exited ${c}`)))),
    );
    for (const id of cameras) kids.push(ff(['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', kw.publishUrl(id)]));
    const page = await browser.page();
    await signIn(page, kw.base, 'insp1');
    await page.addInitScript(firstFrameProbe, o.tiles);
    // every publisher live before the page opens: a first frame measures the wall, not ffmpeg's start
    const key = deriveKey(SECRET, 'play-url');
    for (const id of cameras) {
      const t0 = Date.now();
      while (!(await isLive(`${kw.relayBase}/play/${id}.flv?${signPlay(key, id, 60, 'i').query}`))) {
        if (Date.now() - t0 > 20_000) throw new Error(`camera ${id} never went live at the relay`);
        await sleep(200);
      }
    }
    o.log(`wall: ${o.tiles} tiles (layout ${layout}) …`);
    await page.goto(`${kw.base}/kitchens/wall?layout=${layout}&cameras=${cameras.join(',')}`);
    const first = await waitFirstFrames(page, o.tiles, 60_000);
    o.log(`first frames: ${JSON.stringify(first)}`);
    await sleep(3000); // past the start (mpegts.js buffers, GC of the start-up)
    const chromiumPids = () => descendants(process.pid, /chrom/i);
    const relayPid = relay.pid!;
    const windowMs = Math.max(1000, (o.seconds * 1000) / WINDOWS);
    const samples: number[][] = [await times(page)];
    const sampling = (async () => {
      for (let i = 0; i < Math.round((WINDOWS * windowMs) / 1000); i++) {
        await sleep(1000);
        samples.push(await times(page));
      }
    })();
    const [b, r] = await measure([{ pids: chromiumPids }, { pids: () => [relayPid] }], WINDOWS, windowMs);
    await sampling;
    const stalls: Record<string, number> = {};
    const advancedS: Record<string, number> = {};
    cameras.forEach((cam, i) => {
      stalls[cam] = samples.slice(1).filter((s, k) => s[i]! <= samples[k]![i]!).length;
      advancedS[cam] = Math.round((samples.at(-1)![i]! - samples[0]![i]!) * 10) / 10;
    });
    const ff0 = Object.values(first);
    return {
      tiles: o.tiles, firstFrameMs: first, firstFrameP50: pct(ff0, 0.5), firstFrameMax: Math.max(...ff0),
      browserCpu: { cpu: b!.cpu, lo: b!.lo, hi: b!.hi }, relayCpu: { cpu: r!.cpu, lo: r!.lo, hi: r!.hi }, browserRssMb: b!.rss, browserPssMb: pssMb(chromiumPids()), relayRssMb: r!.rss, browserProcesses: chromiumPids().length,
      samples: samples.length - 1, stalls, advancedS, windowS: (WINDOWS * windowMs) / 1000, load1: loadavg()[0]!.toFixed(2),
    };
  } finally {
    kids.forEach((k) => k.kill('SIGKILL'));
    await browser.close();
    relay?.kill('SIGTERM');
    await kw.world.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Waits until every tile noted its first frame; a tile that never plays fails the benchmark, naming it. */
async function waitFirstFrames(page: Page, n: number, timeoutMs: number): Promise<Record<string, number>> {
  const read = () => page.evaluate(() => (globalThis as unknown as { __firstFrame: Record<string, number> }).__firstFrame);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await read();
    if (Object.keys(got).length >= n) return Object.fromEntries(Object.entries(got).map(([k, v]) => [k, Math.round(v)]));
    if (Date.now() > deadline) throw new Error(`only ${Object.keys(got).length} of ${n} tiles played within ${timeoutMs / 1000} s: ${JSON.stringify(got)}`);
    await sleep(250);
  }
}

export function printWall(f: WallFigures): void {
  console.log(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${f.tiles}-tile wall in one Chromium (WS-FLV, 320×180 10 fps) · CPU: median of ${WINDOWS} windows over ${f.windowS} s (lowest–highest) · load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| measure | figure |\n| --- | --- |');
  console.log(`| first frame per tile (navigation → currentTime > 0), p50 / max | ${f.firstFrameP50} / ${f.firstFrameMax} ms |`);
  console.log(`| Chromium CPU, ${f.browserProcesses} processes | ${f.browserCpu.cpu} % of a core (${f.browserCpu.lo}–${f.browserCpu.hi}) |`);
  console.log(`| relay CPU | ${f.relayCpu.cpu} % of a core (${f.relayCpu.lo}–${f.relayCpu.hi}) |`);
  console.log(`| memory: Chromium, all processes, RSS summed (PSS summed) / relay RSS | ${f.browserRssMb} (${f.browserPssMb}) / ${f.relayRssMb} MB |`);
  const stalled = Object.entries(f.stalls).filter(([, n]) => n > 0);
  console.log(`| tiles advancing over ${f.samples} 1-s samples · stalled samples | ${f.tiles - stalled.length} / ${f.tiles} · ${stalled.length ? stalled.map(([c, n]) => `${c}: ${n}`).join(', ') : 'none'} |`);
  console.log(`first frame ms per tile: ${Object.entries(f.firstFrameMs).map(([c, ms]) => `${c} ${ms}`).join(', ')}`);
  console.log(`seconds of video played per tile over ${f.samples} s: ${Object.entries(f.advancedS).map(([c, s]) => `${c} ${s}`).join(', ')}`);
}
