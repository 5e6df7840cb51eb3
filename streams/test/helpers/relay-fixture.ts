import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '@tianwang/core/config';
import { deriveKey, hashSecret, issueSessionToken, publicAlias, SecretBox, signPlay } from '@tianwang/core/crypto';
import { createLogger, silentLogger, type Logger } from '@tianwang/core/log';
import { openRegistry, type Camera, type Registry } from '@tianwang/core/registry';
import { freePort, tempDir, waitFor as coreWaitFor } from '@tianwang/core/testing';
import type { Redis } from 'ioredis';
import { createStreams, type Streams, type StreamsTuning } from '../../src/index.js';
import { runFfmpeg } from '../../src/ffmpeg/run-ffmpeg.js';

/**
 * One relay per test file (node-media-server keeps module-level state), with a fresh data folder,
 * free ports, an in-memory registry holding a district, a public and a private kitchen and some cameras.
 */
export const SECRET_KEY = 'k'.repeat(20) + '0123456789abcdefghij';
export const SECRETS: Record<string, string> = { 'cam-a': 'secret-a-0123456789abcdef', 'cam-b': 'secret-b-0123456789abcdef', 'cam-off': 'secret-off-0123456789abcd', 'cam-priv': 'secret-priv-0123456789abc' };

export interface Fixture {
  registry: Registry;
  streams: Streams;
  dataDir: string;
  rtmpPort: number;
  httpPort: number;
  base: string;
  inspectorToken: string;
  publishUrl(camera: string, secret?: string): string;
  stop(): Promise<void>;
}

export function cameraRow(id: string, kitchenId: string, extra: Partial<Camera> = {}): Camera {
  return {
    id,
    kitchenId,
    area: 'cooking',
    name: id,
    mode: 'push',
    sourceUrlSealed: null,
    publishCredentialHash: SECRETS[id] ? hashSecret(SECRETS[id]) : null,
    recordingEnabled: false,
    recordingHours: null,
    enabled: true,
    ...extra,
  };
}

/** A logger that keeps every line (JSON) in memory, for tests that look at what was logged. */
export function captureLog(level = 'trace'): { log: Logger; entries: () => Record<string, unknown>[]; text: () => string } {
  const lines: string[] = [];
  const log = createLogger({ level }, { write: (line: string) => void lines.push(line) });
  return { log, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), text: () => lines.join('') };
}

export async function startFixture(opts: { env?: Record<string, string>; cameras?: Camera[]; redis?: Redis; tuning?: StreamsTuning; log?: Logger; districts?: { id: string; parentId: string | null }[]; kitchens?: { id: string; districtId: string }[] } = {}): Promise<Fixture> {
  const dataDir = await tempDir('streams');
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const config = loadConfig({
    TW_DATA_DIR: dataDir,
    TW_SECRET_KEY: SECRET_KEY,
    TW_STREAMS_HOST: '127.0.0.1',
    TW_RTMP_PORT: String(rtmpPort),
    TW_STREAMS_HTTP_PORT: String(httpPort),
    TW_STREAMS_METRICS_PORT: String(await freePort()),
    TW_CAMERA_HEALTH_MODE: 'off',
    TW_KEY_PREFIX: `t${Date.now().toString(36)}`,
    ...opts.env,
  });
  const registry = await openRegistry();
  await registry.districts.upsert({ id: 'd1', name: 'District 1', kind: 'district', parentId: null });
  await registry.districts.upsert({ id: 'd2', name: 'District 2', kind: 'district', parentId: null });
  const kitchen = { address: '', riskClass: 'B' as const, contactName: '', contactPhone: '', businessHours: '00:00-23:59' };
  await registry.kitchens.upsert({ ...kitchen, id: 'k-pub', name: 'Public kitchen', licenceNo: 'JY1', districtId: 'd1', publicViewing: true });
  await registry.kitchens.upsert({ ...kitchen, id: 'k-priv', name: 'Private kitchen', licenceNo: 'JY2', districtId: 'd2', publicViewing: false });
  for (const d of opts.districts ?? []) await registry.districts.upsert({ ...d, name: d.id, kind: d.parentId ? 'grid' : 'district' });
  for (const [i, k] of (opts.kitchens ?? []).entries()) await registry.kitchens.upsert({ ...kitchen, id: k.id, name: k.id, licenceNo: `JYX${i}`, districtId: k.districtId, publicViewing: false });
  const cameras = opts.cameras ?? [cameraRow('cam-a', 'k-pub'), cameraRow('cam-b', 'k-pub'), cameraRow('cam-off', 'k-pub', { enabled: false }), cameraRow('cam-priv', 'k-priv')];
  for (const c of cameras) await registry.kitchens.upsertCamera(c);
  const streams = createStreams(config, { registry, log: opts.log ?? silentLogger(), ...(opts.redis ? { redis: opts.redis } : {}) }, opts.tuning);
  await streams.start();
  return {
    registry,
    streams,
    dataDir,
    rtmpPort,
    httpPort,
    base: `http://127.0.0.1:${httpPort}`,
    inspectorToken: issueSessionToken(SECRET_KEY, { sub: 'u-insp', role: 'inspector', district: 'd1' }),
    publishUrl: (camera, secret = SECRETS[camera] ?? '') => `rtmp://127.0.0.1:${rtmpPort}/live/${camera}${secret ? `?token=${secret}` : ''}`,
    async stop() {
      await streams.stop();
      await registry.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function sealSource(url: string): string {
  return new SecretBox(deriveKey(SECRET_KEY, 'camera-url')).seal(url);
}

const publishers = new Set<ChildProcess>();
process.once('exit', () => publishers.forEach((p) => p.kill('SIGKILL')));

/** A test camera: ffmpeg publishing a synthetic picture at 320×180, 10 fps, one keyframe per second (`gop` frames). */
export function publish(url: string, source = 'testsrc2=size=320x180:rate=10', inputArgs: string[] = ['-f', 'lavfi'], opts: { gop?: number; audio?: boolean } = {}): ChildProcess & { exited: Promise<number | null> } {
  const audio = opts.audio ? ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-c:a', 'aac', '-b:a', '64k'] : [];
  const child = spawn(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', ...inputArgs, '-i', source, ...audio, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(opts.gop ?? 10), '-pix_fmt', 'yuv420p', '-f', 'flv', url],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.resume();
  publishers.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (publishers.delete(child), resolve(code))));
  return Object.assign(child, { exited });
}

/** Decodes up to n frames (32×18 grey) from a URL; returns how many arrived before the deadline. */
export async function readFrames(url: string, n: number, timeoutMs = 15_000, inputArgs: string[] = []): Promise<{ frames: number; stderr: string; ms: number; raw: Buffer }> {
  const t = Date.now();
  // the relay's FLV header announces audio too; without a short probe ffmpeg waits 5 s for audio that never comes
  if (!url.includes('.m3u8')) inputArgs = ['-analyzeduration', '1000000', '-probesize', '200000', ...inputArgs];
  const r = await runFfmpeg([...inputArgs, '-i', url, '-map', '0:v:0', '-frames:v', String(n), '-vf', 'scale=32:18,format=gray', '-f', 'rawvideo', 'pipe:1'], timeoutMs);
  return { frames: Math.floor(r.stdout.length / 576), stderr: r.stderr, ms: Date.now() - t, raw: r.stdout };
}

/** Core's waitFor with this file's older argument order (timeout, poll interval). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 100): Promise<void> {
  await coreWaitFor(cond, { timeoutMs, intervalMs: stepMs });
}

export async function playUrls(f: Fixture, camera: string): Promise<{ flv: string; wsFlv: string; hls: string; expiresAt: string }> {
  const res = await fetch(`${f.base}/api/play-urls`, { method: 'POST', headers: { authorization: `Bearer ${f.inspectorToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ camera }) });
  if (res.status !== 200) throw new Error(`play-urls ${res.status} ${await res.text()}`);
  return (await res.json()) as { flv: string; wsFlv: string; hls: string; expiresAt: string };
}


/**
 * A consumer's URLs as the dashboard's public kitchen page grants them (dashboard/src/public/live-grant.ts): the camera
 * by its public alias, the public audience, valid `seconds`. The relay hands out no public URLs itself.
 */
export function publicUrls(f: Fixture, camera: string, seconds = 60): { flv: string; wsFlv: string; hls: string; exp: number } {
  const key = deriveKey(SECRET_KEY, 'play-url');
  const { query, exp } = signPlay(key, camera, seconds, 'p');
  const alias = publicAlias(key, camera);
  return { flv: `${f.base}/play/pub/${alias}.flv?${query}`, wsFlv: `ws://127.0.0.1:${f.httpPort}/ws/pub/${alias}.flv?${query}`, hls: `${f.base}/hls/pub/${alias}/index.m3u8?${query}`, exp };
}

export { join };
