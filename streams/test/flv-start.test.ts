import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { deriveKey } from '@tianwang/core/crypto';
import { signPlay } from '../src/access/play-signing.js';
import { SECRET_KEY, playUrls, publish, readFrames, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// Stock players must start at once: plain ffprobe (default probing, nothing tuned) reads HTTP-FLV of a
// video-only camera and of a camera with audio and reports the first frame at once (≈ 1 s on a quiet machine;
// the bound is 6 s so that a loaded CI machine cannot fail it, far below what the bug cost). With the
// `@setDataFrame` script tag and an FLV header that announced audio, ffmpeg probed an extra data stream and
// waited for audio: 5 MB or 90 s of stream (38 s at 1 Mbit/s, minutes for these small test cameras).
// Cameras as the simulator runs them: 25 fps, a keyframe every 2 s. H.264 in FLV needs ~40 frames before
// ffmpeg trusts its frame rate; a player joining 1 s or more into a GOP gets most of them from the GOP cache.
let f: Fixture;
const pubs: ReturnType<typeof publish>[] = [];
const SOURCE = 'testsrc2=size=320x180:rate=25';
/** the probing bug waited for 5 MB or 90 s of stream: minutes at these bitrates */
const STARTS_AT_ONCE_MS = 6000;

beforeAll(async () => {
  f = await startFixture();
  pubs.push(publish(f.publishUrl('cam-a'), SOURCE, undefined, { gop: 50 }));
  pubs.push(publish(f.publishUrl('cam-b'), SOURCE, undefined, { gop: 50, audio: true }));
  await waitFor(() => f.streams.internals.nms!.isLive('/live/cam-a') && f.streams.internals.nms!.isLive('/live/cam-b'), 15_000);
  await waitFor(() => (f.streams.internals.nms!.streamStats('/live/cam-b')?.keyframes.length ?? 0) >= 1, 10_000);
});

/** Waits until the camera's GOP is 1 to 1.6 s old: a join at a known point of the GOP, not by chance. */
async function midGop(camera: string): Promise<void> {
  const age = () => Date.now() - (f.streams.internals.nms!.streamStats(`/live/${camera}`)?.keyframes.at(-1)?.at ?? 0);
  await waitFor(() => age() >= 1000 && age() <= 1600, 5000, 20);
}

afterAll(async () => {
  pubs.forEach((p) => p.kill('SIGKILL'));
  await f?.stop();
});

/** Plain ffprobe: time until it printed the first video frame, and the streams it found. */
function ffprobe(url: string, timeoutMs = 20_000): Promise<{ ms: number; out: string }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:frame=media_type', '-read_intervals', '%+#1', '-show_frames', '-of', 'compact', url]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => (clearTimeout(timer), resolve({ ms: Date.now() - t0, out })));
  });
}

describe('HTTP-FLV in stock players', () => {
  it('shows the first frame of a video-only camera in ffprobe at once (< 6 s, not the minutes of the probing bug), with no extra data stream', async () => {
    const url = (await playUrls(f, 'cam-a')).flv;
    await midGop('cam-a');
    const { ms, out } = await ffprobe(url);
    expect(out).toMatch(/frame\|media_type=video/);
    expect(out.match(/^stream\|codec_type=(\w+)/gm)).toEqual(['stream|codec_type=video']);
    expect(ms).toBeLessThan(STARTS_AT_ONCE_MS);
  });

  it('announces and finds the audio of a camera that has it', async () => {
    const url = (await playUrls(f, 'cam-b')).flv;
    await midGop('cam-b');
    const { ms, out } = await ffprobe(url);
    expect(out.match(/^stream\|codec_type=(\w+)/gm)?.sort()).toEqual(['stream|codec_type=audio', 'stream|codec_type=video']);
    expect(ms).toBeLessThan(STARTS_AT_ONCE_MS);
  });

  it('still gives RTMP players the metadata and pictures', async () => {
    const url = `rtmp://127.0.0.1:${f.rtmpPort}/live/cam-a?${signPlay(deriveKey(SECRET_KEY, 'play-url'), 'cam-a', 60, 'i').query}`;
    expect((await readFrames(url, 5, 10_000)).frames).toBe(5);
  });
});
