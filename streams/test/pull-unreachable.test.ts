import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { freePort } from '@tianwang/core/testing';
import { FfmpegSupervisor } from '../src/ffmpeg/ffmpeg-supervisor.js';
import { captureLog, cameraRow, join, sealSource, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';
import { startRtspCamera, type RtspCamera } from './helpers/rtsp-test-server.js';

// A recording RTSP camera whose source is unreachable: its puller retries with backoff, no recorder ffmpeg
// idles waiting for a stream that never comes, the camera's password never reaches a log line, and
// recording starts by itself once the source answers. That last one is another camera (cam-late, its own port), so
// that the first test finds its source unreachable whatever ran before it.
const PASSWORD = 'Pa55-w0rd!x';
const QUERY_TOKEN = 'T0ken-98765';
let f: Fixture;
let port: number;
let latePort: number;
let rtsp: RtspCamera | undefined;
const logs = captureLog('trace');

beforeAll(async () => {
  [port, latePort] = [await freePort(), await freePort()];
  const source = (p: number) => `rtsp://admin:${PASSWORD}@127.0.0.1:${p}/stream?token=${QUERY_TOKEN}`;
  f = await startFixture({
    log: logs.log,
    env: { TW_RECORDING_SEGMENT_S: '2' },
    cameras: ['cam-rtsp', 'cam-late'].map((id, i) => cameraRow(id, 'k-pub', { mode: 'pull', sourceUrlSealed: sealSource(source(i ? latePort : port)), recordingEnabled: true })),
    tuning: { reconcileMs: 300 },
  });
});

afterAll(async () => {
  await f?.stop();
  await rtsp?.stop();
});

describe('an unreachable recording pull camera', () => {
  it('is retried with backoff, and no recorder runs while there is no stream', async () => {
    await waitFor(() => (f.streams.internals.pulls!.supervisor('cam-rtsp')?.restarts ?? 0) >= 3, 20_000, 100);
    expect(f.streams.internals.recorders!.isRecording('cam-rtsp')).toBe(false);
    expect(f.streams.internals.recorders!.isHolding('cam-rtsp')).toBe(true);
    const retries = logs.entries().filter((e) => e.msg === 'ffmpeg exited; restarting' && e.name === 'pull:cam-rtsp').map((e) => e.retryInMs as number);
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries[2]!).toBeGreaterThan(retries[0]!);
  });

  it('never logs the source URL, its password or its query', async () => {
    // its own restarts to read (run alone, the fixture has just started)
    await waitFor(() => logs.entries().some((e) => e.msg === 'ffmpeg exited; restarting' && e.name === 'pull:cam-rtsp'), 20_000, 100);
    const text = logs.text();
    // the restarts were logged, with ffmpeg's reason
    expect(text).toMatch(/Connection refused/);
    for (const secret of [PASSWORD, QUERY_TOKEN, 'admin:', encodeURIComponent(PASSWORD), 'itoken=']) expect(text).not.toContain(secret);
  });

  it('starts recording once the source answers', async () => {
    // unreachable first (its puller has failed once), then the source answers (a rerun finds it already answering)
    await waitFor(() => (f.streams.internals.pulls!.supervisor('cam-late')?.restarts ?? 0) >= 1 || rtsp !== undefined, 20_000, 100);
    rtsp ??= await startRtspCamera(undefined, { port: latePort, path: '/stream' });
    await waitFor(() => f.streams.internals.recorders!.isRecording('cam-late'), 30_000, 100);
    const dir = join(f.dataDir, 'recordings', 'cam-late');
    await waitFor(async () => (await readdir(dir).catch(() => [])).some((n) => n.endsWith('.ts')), 20_000, 250);
    expect(logs.text()).not.toContain(PASSWORD);
  });
});

describe('ffmpeg that cannot be started', () => {
  it('is logged without its arguments', async () => {
    const capture = captureLog('debug');
    const secret = `rtsp://admin:${PASSWORD}@10.0.0.9/ch1`;
    const sup = new FfmpegSupervisor({ name: 'pull:x', args: () => ['-i', secret], env: { PATH: '/nonexistent' }, secrets: [secret, PASSWORD] }, capture.log);
    sup.start();
    await waitFor(() => capture.entries().some((e) => e.msg === 'ffmpeg could not be started'), 5000, 20);
    await sup.stop();
    expect(capture.text()).toMatch(/ENOENT/);
    expect(capture.text()).not.toContain(PASSWORD);
  });
});
