import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { startRedis, tempDir, type RedisServer } from '@tianwang/core/testing';
import { join } from 'node:path';
import { runFfmpeg } from '../src/ffmpeg/run-ffmpeg.js';
import { cameraRow, publish, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// cam-a shows a moving test picture, cam-b is black (covered lens), cam-priv a still photo (frozen),
// cam-idle never publishes (offline); cam-off publishes only in the test that stops its publisher (each test
// stands on its own: the others' publishers keep running whatever order they run in). Health changes go to the
// camera-events stream and a Redis hash.
let f: Fixture;
let server: RedisServer;
let redis: Redis;
const pubs: ReturnType<typeof publish>[] = [];
const prefix = `th${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startRedis({ appendonly: false });
  redis = new Redis(server.url);
  const still = join(await tempDir('still'), 'still.png');
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180', '-frames:v', '1', still], 10_000);
  f = await startFixture({
    env: { TW_CAMERA_HEALTH_MODE: 'push', TW_CAMERA_HEALTH_INTERVAL_S: '1', TW_KEY_PREFIX: prefix },
    cameras: [cameraRow('cam-a', 'k-pub'), cameraRow('cam-b', 'k-pub'), cameraRow('cam-priv', 'k-priv'), cameraRow('cam-idle', 'k-pub'), cameraRow('cam-off', 'k-pub')],
    redis,
  });
  pubs.push(publish(f.publishUrl('cam-a')));
  pubs.push(publish(f.publishUrl('cam-b'), 'color=c=black:size=320x180:rate=10'));
  pubs.push(publish(f.publishUrl('cam-priv'), still, ['-loop', '1', '-framerate', '10']));
});

afterAll(async () => {
  pubs.forEach((p) => p.kill('SIGKILL'));
  await f?.stop();
  redis?.disconnect();
  await server?.stop();
});

describe('camera health', () => {
  it('tells ok, black, frozen and offline cameras apart', async () => {
    const want = { 'cam-a': 'ok', 'cam-b': 'blank', 'cam-priv': 'frozen', 'cam-idle': 'offline' } as const;
    await waitFor(() => Object.entries(want).every(([id, state]) => f.streams.health(id)?.state === state), 30_000, 250);
    const a = f.streams.health('cam-a')!;
    expect(a.online).toBe(true);
    expect(a.frames).toBeGreaterThan(10);
    expect(a.bitrateKbps).toBeGreaterThan(0);
    expect(Date.now() - Date.parse(a.lastFrameAt!)).toBeLessThan(5000);
  });

  it('appends state changes to the camera-events stream and keeps the latest in a hash', async () => {
    const read = async () => (await redis.xrange(pipelineKeys(prefix).cameraEvents, '-', '+'))
      .map(([, fields]) => Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, fields[i + 1] ?? '']]), [])));
    // run first or alone, the health checks have not yet told the states apart
    let events: Record<string, string>[] = [];
    await waitFor(async () => {
      events = await read();
      return ['blank', 'frozen'].every((state) => events.some((e) => e.state === state)) && events.some((e) => e.camera === 'cam-idle');
    }, 30_000, 250);
    expect(events.find((e) => e.camera === 'cam-b' && e.state === 'blank')).toMatchObject({ kitchen: 'k-pub', inBusinessHours: 'true' });
    expect(events.find((e) => e.camera === 'cam-idle')?.state).toBe('offline');
    expect(events.find((e) => e.camera === 'cam-priv' && e.state === 'frozen')).toBeTruthy();
    // one event per change, not per check
    expect(events.filter((e) => e.camera === 'cam-idle').length).toBe(1);
    expect(await redis.hget(pipelineKeys(prefix).cameraHealth('cam-b'), 'state')).toBe('blank');
    const res = await fetch(`${f.base}/api/cameras/cam-a/health`, { headers: { authorization: `Bearer ${f.inspectorToken}` } });
    expect(((await res.json()) as { state: string }).state).toBe('ok');
  });

  it('sees a camera go offline when its publisher stops', async () => {
    const own = publish(f.publishUrl('cam-off'));
    pubs.push(own);
    await waitFor(() => f.streams.health('cam-off')?.state === 'ok', 30_000, 250);
    own.kill('SIGKILL');
    await waitFor(() => f.streams.health('cam-off')?.state === 'offline', 45_000, 250);
  });
});
