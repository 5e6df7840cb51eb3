import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { freePort, rng, tempDir } from '@tianwang/core/testing';
import { httpCase, rtmpCase, runCase } from './fuzz-cases.js';

/**
 * A fuzz session against a relay in its own process, with a real camera (ffmpeg publishing) and a real
 * player (ffmpeg reading HTTP-FLV) the whole time. Hostile connections run `concurrency` at a time for
 * `durationMs`. A relay that exits is a crash: counted, its stderr tail kept, and restarted (with its camera
 * and player) so a long run goes on. Reports connections, crashes, the relay's RSS before and after, and the
 * player's longest wait for a frame. Used by test/fuzz.test.ts and scripts/fuzz-streams.ts.
 */
export interface FuzzReport {
  seed: number;
  seconds: number;
  connections: { rtmp: number; http: number };
  crashes: number;
  crashTails: string[];
  rssBeforeMb: number;
  rssAfterMb: number;
  rssPeakMb: number;
  playerFrames: number;
  /** longest time the player went without a new frame, ms (from its first frame to the end) */
  playerMaxGapMs: number;
}

const CHILD = fileURLToPath(new URL('./relay-child.ts', import.meta.url));

interface Relay {
  child: ChildProcess;
  exited: Promise<number | null>;
  rtmpPort: number;
  httpPort: number;
  stderr: () => string;
  camera: ChildProcess;
  player: ChildProcess;
  dir: string;
}

function rssMb(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function startRelay(onFrame: (n: number) => void): Promise<Relay> {
  const [rtmpPort, httpPort, dir] = [await freePort(), await freePort(), await tempDir('fuzz')];
  const child = spawn(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', CHILD, String(rtmpPort), String(httpPort), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ publishUrl: string; playUrl: string }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line) as { publishUrl: string; playUrl: string });
    });
    void exited.then((code) => reject(new Error(`relay exited (${code}) before it was ready: ${err}`)));
    setTimeout(() => reject(new Error('relay not ready in 60 s')), 60_000).unref();
  });
  const ff = (args: string[]) => spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const camera = ff(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-pix_fmt', 'yuv420p', '-f', 'flv', ready.publishUrl]);
  // the player: reconnects until the camera is live (404 before), then reports its frame count
  const player = ff(['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_on_http_error', '4xx', '-reconnect_delay_max', '1', '-i', ready.playUrl, '-f', 'null', '-', '-progress', 'pipe:1']);
  player.stdout?.on('data', (d: Buffer) => {
    for (const m of d.toString().matchAll(/^frame=(\d+)/gm)) onFrame(Number(m[1]));
  });
  return { child, exited, rtmpPort, httpPort, stderr: () => err, camera, player, dir };
}

async function stopRelay(relay: Relay): Promise<void> {
  relay.player.kill('SIGKILL');
  relay.camera.kill('SIGKILL');
  if (relay.child.exitCode === null && relay.child.signalCode === null) {
    relay.child.kill('SIGTERM');
    const t = setTimeout(() => relay.child.kill('SIGKILL'), 10_000);
    await relay.exited;
    clearTimeout(t);
  }
  await rm(relay.dir, { recursive: true, force: true });
}

export async function fuzzRelay(opts: { durationMs: number; concurrency?: number; seed?: number; onProgress?: (r: FuzzReport) => void }): Promise<FuzzReport> {
  const seed = opts.seed ?? (Date.now() & 0x7fffffff);
  const r = rng(seed);
  const report: FuzzReport = { seed, seconds: 0, connections: { rtmp: 0, http: 0 }, crashes: 0, crashTails: [], rssBeforeMb: 0, rssAfterMb: 0, rssPeakMb: 0, playerFrames: 0, playerMaxGapMs: 0 };
  let lastFrameAt = 0;
  let frames = 0;
  const onFrame = (n: number) => {
    const now = Date.now();
    if (n > frames) {
      if (lastFrameAt) report.playerMaxGapMs = Math.max(report.playerMaxGapMs, now - lastFrameAt);
      lastFrameAt = now;
      report.playerFrames += n - frames;
    }
    frames = n;
  };
  let relay = await startRelay(onFrame);
  // fuzz a relay that is really serving: the player has its first frames
  const warm = Date.now() + 30_000;
  while (frames < 10 && Date.now() < warm) await new Promise((res) => setTimeout(res, 100));
  report.rssBeforeMb = rssMb(relay.child.pid);
  const started = Date.now();
  const end = started + opts.durationMs;
  let crashed = false;
  void relay.exited.then(() => (crashed = true));
  const worker = async () => {
    while (Date.now() < end && !crashed) {
      const isRtmp = r() < 0.6;
      const parts = isRtmp ? rtmpCase(r) : httpCase(r);
      await runCase(r, isRtmp ? relay.rtmpPort : relay.httpPort, parts, 150);
      if (isRtmp) report.connections.rtmp++;
      else report.connections.http++;
    }
  };
  const sampler = setInterval(() => {
    report.rssPeakMb = Math.max(report.rssPeakMb, rssMb(relay.child.pid));
    report.seconds = Math.round((Date.now() - started) / 1000);
    opts.onProgress?.(report);
  }, 1000);
  try {
    while (Date.now() < end) {
      crashed = false;
      await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
      if (!crashed) break;
      // the relay died: count it, keep what it said, start a new one and go on
      report.crashes++;
      report.crashTails.push(relay.stderr().slice(-1500));
      await stopRelay(relay);
      frames = 0;
      lastFrameAt = 0;
      relay = await startRelay(onFrame);
      void relay.exited.then(() => (crashed = true));
    }
    // a frame must still come after the last hostile connection
    const lastBefore = lastFrameAt;
    const deadline = Date.now() + 5000;
    while (lastFrameAt === lastBefore && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    if (lastFrameAt === lastBefore) report.playerMaxGapMs = Math.max(report.playerMaxGapMs, Date.now() - (lastBefore || started));
    report.rssAfterMb = rssMb(relay.child.pid);
    report.rssPeakMb = Math.max(report.rssPeakMb, report.rssAfterMb);
    report.seconds = Math.round((Date.now() - started) / 1000);
  } finally {
    clearInterval(sampler);
    await stopRelay(relay);
  }
  return report;
}
