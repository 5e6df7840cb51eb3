import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, rename, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepRecordings } from '../src/recording/retention.js';
import { cameraRow, publish, readFrames, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// Rolling recording in 2 s segments, playback of a time range, expiry, and a killed ffmpeg child coming back.
let f: Fixture;
let pub: ReturnType<typeof publish>;
let pubB: ReturnType<typeof publish>;

beforeAll(async () => {
  f = await startFixture({
    env: { TW_RECORDING_SEGMENT_S: '2' },
    cameras: [cameraRow('cam-a', 'k-pub', { recordingEnabled: true }), cameraRow('cam-b', 'k-pub', { recordingEnabled: true, recordingHours: '03:00-03:01' })],
    tuning: { reconcileMs: 500 },
  });
  pub = publish(f.publishUrl('cam-a'));
  pubB = publish(f.publishUrl('cam-b'));
  await waitFor(() => f.streams.internals.recorders!.isRecording('cam-a'), 15_000);
});

afterAll(async () => {
  // stop the relay with a camera still connected: stop() must not wait for it
  pub?.kill('SIGKILL');
  await f?.stop();
  pubB?.kill('SIGKILL');
});

const dir = () => join(f.dataDir, 'recordings', 'cam-a');
const auth = () => ({ authorization: `Bearer ${f.inspectorToken}` });

describe('recording', () => {
  it('records in segments and plays back a chosen time range', async () => {
    // segments of its own, begun after `from` (named by their start, epoch seconds): two finished and a third begun,
    // however many an earlier test (or a restarted recorder) left in the folder
    const from = Date.now();
    await waitFor(async () => (await readdir(dir())).filter((n) => n.endsWith('.ts') && Number(n.slice(0, -3)) * 1000 >= from).length >= 3, 20_000, 250);
    const to = Date.now();
    const res = await fetch(`${f.base}/api/cameras/cam-a/recordings?from=${from - 5000}&to=${to}`, { headers: auth() });
    expect(res.status).toBe(200);
    const playlist = await res.text();
    expect(playlist).toMatch(/#EXT-X-ENDLIST/);
    const uris = playlist.split('\n').filter((l) => l.startsWith('http'));
    expect(uris.length).toBeGreaterThanOrEqual(2);
    // a segment URL is signed for inspectors; without the signature it is refused
    expect((await fetch(uris[0]!.split('?')[0]!)).status).toBe(401);
    const hlsUrl = `${f.base}/api/cameras/cam-a/recordings?from=${from - 5000}&to=${to}`;
    const played = await readFrames(hlsUrl, 20, 15_000, ['-headers', `Authorization: Bearer ${f.inspectorToken}\r\n`]);
    expect(played.frames).toBe(20);
    // a range with nothing recorded
    expect((await fetch(`${f.base}/api/cameras/cam-a/recordings?from=1000&to=2000`, { headers: auth() })).status).toBe(404);
    expect((await fetch(`${f.base}/api/cameras/cam-a/recordings?from=${from}&to=${to}`)).status).toBe(401);
  });

  it('records only within recording hours', async () => {
    // run first, cam-b's publisher may still be connecting (beforeAll waits for cam-a's recorder only)
    await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-b'), 15_000);
    // cam-b records 03:00-03:01 Shanghai time only; the test would have to run in that minute to see it record
    const now = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
    if (now !== '03:00') expect(f.streams.internals.recorders!.isRecording('cam-b')).toBe(false);
    expect(f.streams.internals.nms!.isLive('/live/cam-b')).toBe(true);
  });

  it('deletes segments older than the retention period', async () => {
    // segments of its own to age (run alone, the recorder has only just started): two, the first one finished
    const segments = async () => (await readdir(dir())).filter((n) => n.endsWith('.ts')).sort();
    await waitFor(async () => (await segments()).length >= 2, 20_000, 250);
    const names = await segments();
    const old = Math.floor((Date.now() - 8 * 86_400_000) / 1000);
    await rename(join(dir(), names[0]!), join(dir(), `${old}.ts`));
    await utimes(join(dir(), `${old}.ts`), old + 2, old + 2);
    const deleted = await sweepRecordings(join(f.dataDir, 'recordings'), Date.now() - 7 * 86_400_000);
    expect(deleted).toBe(1);
    const left = await readdir(dir());
    expect(left).not.toContain(`${old}.ts`);
    expect(left.length).toBeGreaterThanOrEqual(names.length - 1);
  });

  it('restarts a killed ffmpeg child with backoff', async () => {
    const sup = f.streams.internals.recorders!.supervisor('cam-a')!;
    const pid = sup.pid!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => sup.pid !== undefined && sup.pid !== pid, 10_000);
    expect(sup.restarts).toBeGreaterThanOrEqual(1);
    expect(await f.streams.metrics.getSingleMetricAsString('tw_streams_ffmpeg_restarts_total')).toMatch(/role="recorder"[^}]*\} [1-9]/);
    // and it records again
    const before = (await readdir(dir())).length;
    await waitFor(async () => (await readdir(dir())).length > before, 10_000, 250);
  });
});
