import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// A snapshot is the camera's latest keyframe: its time is when that picture reached the relay, not when the
// inspector asked. The camera here sends a keyframe every 10 s, so the two differ by seconds.
let f: Fixture;
let pub: ReturnType<typeof publish>;

beforeAll(async () => {
  f = await startFixture();
  pub = publish(f.publishUrl('cam-a'), undefined, undefined, { gop: 100 });
  await waitFor(() => (f.streams.internals.nms!.streamStats('/live/cam-a')?.keyframes.length ?? 0) >= 1, 15_000);
});

afterAll(async () => {
  pub?.kill('SIGKILL');
  await f?.stop();
});

describe('snapshot time', () => {
  it("reports the keyframe's own arrival time, also in the JPEG's x-taken-at", async () => {
    const keyframeAt = f.streams.internals.nms!.streamStats('/live/cam-a')!.keyframes.at(-1)!.at;
    await waitFor(() => Date.now() - keyframeAt >= 2500, 5000, 50);
    const asked = Date.now();
    const snap = async () => {
      const res = await fetch(`${f.base}/api/cameras/cam-a/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${f.inspectorToken}` } });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: number; takenAt: string; sha256: string };
    };
    const first = await snap();
    // still the same keyframe (the next is ~7 s away): a second snapshot of it is the same picture and time
    const second = await snap();
    expect(f.streams.internals.nms!.streamStats('/live/cam-a')!.keyframes.at(-1)!.at).toBe(keyframeAt);
    expect(Date.parse(first.takenAt)).toBe(keyframeAt);
    expect(asked - Date.parse(first.takenAt)).toBeGreaterThanOrEqual(2500);
    expect(second).toMatchObject({ takenAt: first.takenAt, sha256: first.sha256 });
    expect(second.id).not.toBe(first.id);
    const jpeg = await fetch(`${f.base}/api/snapshots/${second.id}`, { headers: { authorization: `Bearer ${f.inspectorToken}` } });
    expect(jpeg.status).toBe(200);
    expect(jpeg.headers.get('x-taken-at')).toBe(new Date(keyframeAt).toISOString());
  });
});
