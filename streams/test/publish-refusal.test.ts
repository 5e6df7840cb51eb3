import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, stat } from 'node:fs/promises';
import { deriveKey } from '@tianwang/core/crypto';
import { tempDir } from '@tianwang/core/testing';
import { signPlay } from '../src/access/play-signing.js';
import { runFfmpeg } from '../src/ffmpeg/run-ffmpeg.js';
import { SECRET_KEY, SECRETS, cameraRow, captureLog, join, playUrls, publish, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';
import { RtmpClient, flvTags } from './helpers/rtmp-client.js';

// Evidence must not be forgeable: while the real camera (blue) is live, refused publishers push a red picture
// in every way we know (plain ffmpeg with a wrong or no secret, a raw client that ignores our FIN and keeps
// sending, a valid player that sends video, a second device with the right secret). No red frame may reach a
// viewer, the GOP cache a late viewer starts from, a recording, or a snapshot.
let f: Fixture;
let camera: ReturnType<typeof publish>;
let red: { type: number; timestamp: number; data: Buffer }[];
const logs = captureLog('info');

beforeAll(async () => {
  f = await startFixture({
    log: logs.log,
    env: { TW_RECORDING_SEGMENT_S: '2' },
    cameras: [cameraRow('cam-a', 'k-pub', { recordingEnabled: true }), cameraRow('cam-b', 'k-pub')],
    tuning: { reconcileMs: 500 },
  });
  camera = publish(f.publishUrl('cam-a'), 'color=c=blue:size=320x180:rate=10');
  const file = join(await tempDir('red'), 'red.flv');
  await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=red:size=320x180:rate=10', '-frames:v', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '5', '-pix_fmt', 'yuv420p', '-f', 'flv', file], 20_000);
  red = flvTags(await readFile(file));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a') && f.streams.internals.recorders!.isRecording('cam-a'), 15_000);
});

afterAll(async () => {
  camera?.kill('SIGKILL');
  await f?.stop();
});

/** Frames decoded to 4×4 RGB: [meanR, meanG, meanB] each. */
async function colours(args: string[], frames: number, timeoutMs: number): Promise<number[][]> {
  const r = await runFfmpeg([...args, '-map', '0:v:0', '-frames:v', String(frames), '-vf', 'scale=4:4', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], timeoutMs);
  const out: number[][] = [];
  for (let off = 0; off + 48 <= r.stdout.length; off += 48) {
    const px = r.stdout.subarray(off, off + 48);
    const mean = (c: number) => px.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / 16;
    out.push([mean(0), mean(1), mean(2)]);
  }
  return out;
}
const isRed = ([r, , b]: number[]) => r! - b! > 60;

/** A raw client that publishes red with a wrong secret and keeps sending for `ms`, ignoring the server's FIN. */
async function stubbornPublisher(path: string, ms: number): Promise<void> {
  const c = await RtmpClient.open(f.rtmpPort, { ignoreFin: true });
  await c.connectApp('live');
  c.publish(path);
  const start = Date.now();
  for (let ts = 0; Date.now() - start < ms; ts += 100) {
    for (const t of red.slice(0, 8)) c.sendTag(t.type, t.data, ts + t.timestamp);
    await new Promise((r) => setTimeout(r, 100));
  }
  c.close();
}

/** A player with a valid signature that sends red video into the stream it plays. */
async function injectingPlayer(ms: number): Promise<void> {
  const c = await RtmpClient.open(f.rtmpPort, { ignoreFin: true });
  await c.connectApp('live');
  c.play(`cam-a?${signPlay(deriveKey(SECRET_KEY, 'play-url'), 'cam-a', 60, 'i').query}`);
  const start = Date.now();
  for (let ts = 0; Date.now() - start < ms; ts += 100) {
    for (const t of red.slice(0, 8)) c.sendTag(t.type, t.data, ts + t.timestamp);
    await new Promise((r) => setTimeout(r, 100));
  }
  c.close();
}

async function redPushes(url: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const p = publish(url, 'color=c=red:size=320x180:rate=10');
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 4000))]);
    p.kill('SIGKILL');
  }
}

/** An RTMP publish of `path` the relay refuses: waits for its error status and the closed connection. */
async function refusedPublish(path: string): Promise<void> {
  const c = await RtmpClient.open(f.rtmpPort);
  await c.connectApp('live');
  c.publish(path);
  const status = await c.status(/NetStream\.Publish\./);
  expect((status?.command?.info as { level?: string } | undefined)?.level).toBe('error');
  await waitFor(() => c.closed, 5000, 20);
}

describe('refused publishers', () => {
  it('never reach a viewer, the GOP cache, a recording or a snapshot', async () => {
    const attackFrom = Date.now();
    const flv = (await playUrls(f, 'cam-a')).flv;
    const [seen] = await Promise.all([
      colours(['-analyzeduration', '1000000', '-probesize', '200000', '-i', flv], 80, 30_000),
      redPushes(f.publishUrl('cam-a', 'wrong-secret-0123456789'), 3),
      redPushes(f.publishUrl('cam-a', ''), 2),
      redPushes(f.publishUrl('cam-a', SECRETS['cam-a']), 2), // a second device with the camera's own secret
      stubbornPublisher('cam-a?token=wrong', 4000),
      stubbornPublisher('cam-a', 4000),
      injectingPlayer(4000),
    ]);
    expect(seen.length).toBeGreaterThanOrEqual(40);
    expect(seen.filter(isRed)).toEqual([]);
    expect(f.streams.internals.nms!.isLive('/live/cam-a')).toBe(true);

    // a viewer joining now starts from the GOP cache: blue
    const late = await colours(['-analyzeduration', '1000000', '-probesize', '200000', '-i', (await playUrls(f, 'cam-a')).flv], 10, 15_000);
    expect(late.length).toBe(10);
    expect(late.filter(isRed)).toEqual([]);

    // the snapshot (the latest keyframe) is blue
    const res = await fetch(`${f.base}/api/cameras/cam-a/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${f.inspectorToken}` } });
    expect(res.status).toBe(201);
    const { path } = (await f.registry.db.query<{ path: string }>('SELECT path FROM snapshots ORDER BY id DESC LIMIT 1'))[0]!;
    const [snap] = await colours(['-i', join(f.dataDir, path)], 1, 10_000);
    expect(isRed(snap!)).toBe(false);
    expect(snap![2]! - snap![0]!).toBeGreaterThan(60);

    // every recorded segment written during the attack is blue throughout
    const dir = join(f.dataDir, 'recordings', 'cam-a');
    const segments: string[] = [];
    for (const name of await readdir(dir)) if ((await stat(join(dir, name))).mtimeMs >= attackFrom) segments.push(name);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const name of segments) {
      const frames = await colours(['-i', join(dir, name)], 1000, 20_000);
      expect(frames.filter(isRed)).toEqual([]);
    }
  });

  it('logs and counts a second publisher refused while the camera is live', async () => {
    // its own refusals (not the attack another test makes): a second device with the camera's secret, two wrong ones
    const metric = async (reason: string) =>
      Number(new RegExp(`reason="${reason}"[^}]*\\} (\\d+)`).exec(await f.streams.metrics.getSingleMetricAsString('tw_streams_publish_refused_total'))?.[1] ?? 0);
    const [busyBefore, unauthorizedBefore, logged] = [await metric('busy'), await metric('unauthorized'), logs.entries().length];
    for (const path of [`cam-a?token=${SECRETS['cam-a']}`, 'cam-a?token=wrong', 'cam-a']) await refusedPublish(path);
    const busy = logs.entries().slice(logged).filter((e) => e.msg === 'publish refused: the stream already has a publisher');
    expect(busy).toHaveLength(1);
    expect(busy[0]).toMatchObject({ level: 'warn', streamPath: '/live/cam-a' });
    expect(await metric('busy')).toBe(busyBefore + 1);
    expect(await metric('unauthorized')).toBe(unauthorizedBefore + 2);
    // no secret in any log line
    expect(logs.text()).not.toContain(SECRETS['cam-a']);
  });

  it('answers a refused publish with an error status and never registers the stream path', async () => {
    await refusedPublish('cam-b?token=wrong');
    expect(f.streams.internals.nms!.isLive('/live/cam-b')).toBe(false);
  });

  it('counts refused RTMP players in tw_streams_play_refused_total', async () => {
    const before = await f.streams.metrics.getSingleMetricAsString('tw_streams_play_refused_total');
    const count = (text: string, status: number) => Number(new RegExp(`status="${status}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const key = deriveKey(SECRET_KEY, 'play-url');
    const attempts = [`rtmp://127.0.0.1:${f.rtmpPort}/live/cam-a`, `rtmp://127.0.0.1:${f.rtmpPort}/live/cam-a?${signPlay(key, 'cam-b', 60, 'i').query}`];
    for (const url of attempts) {
      const r = await runFfmpeg(['-i', url, '-frames:v', '1', '-f', 'null', '-'], 10_000);
      expect(r.code).not.toBe(0);
    }
    const after = await f.streams.metrics.getSingleMetricAsString('tw_streams_play_refused_total');
    expect(count(after, 401) - count(before, 401)).toBe(1);
    expect(count(after, 403) - count(before, 403)).toBe(1);
  });
});
