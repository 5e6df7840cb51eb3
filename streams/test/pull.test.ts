import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraRow, playUrls, readFrames, sealSource, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';
import { startRtspCamera, type RtspCamera } from './helpers/rtsp-test-server.js';

// An RTSP camera is pulled only while someone watches, and released after TW_PULL_IDLE_S.
let f: Fixture;
let rtsp: RtspCamera;

beforeAll(async () => {
  rtsp = await startRtspCamera();
  f = await startFixture({ env: { TW_PULL_IDLE_S: '1' }, cameras: [cameraRow('cam-rtsp', 'k-pub', { mode: 'pull', sourceUrlSealed: sealSource(rtsp.url) })] });
});

afterAll(async () => {
  await f?.stop();
  await rtsp?.stop();
});

describe('rtsp pull', () => {
  it('pulls on the first viewer, never shows the source URL, and releases the camera when idle', async () => {
    expect(rtsp.clients()).toBe(0);
    const urls = await playUrls(f, 'cam-rtsp');
    expect(JSON.stringify(urls)).not.toMatch(/rtsp:|127\.0\.0\.1:\d+\/cam/);
    const r = await readFrames(urls.flv, 10, 20_000);
    expect(r.frames).toBe(10);
    expect(rtsp.plays()).toBeGreaterThanOrEqual(1); // more only if the puller was restarted under load
    // the viewer has gone: after the idle period the pull stops and the RTSP connection closes
    await waitFor(() => !f.streams.internals.pulls!.isPulling('cam-rtsp') && rtsp.clients() === 0, 20_000);
    // the puller's ffmpeg is stopped asynchronously: its relay stream ends a moment after the RTSP side closes
    await waitFor(() => !f.streams.internals.nms!.isLive('/live/cam-rtsp'), 5_000);
    expect(f.streams.internals.nms!.isLive('/live/cam-rtsp')).toBe(false);
  });

  it('takes a snapshot of a pull camera by pulling it for the occasion', async () => {
    const res = await fetch(`${f.base}/api/cameras/cam-rtsp/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${f.inspectorToken}` } });
    expect(res.status).toBe(201);
    await waitFor(() => !f.streams.internals.pulls!.isPulling('cam-rtsp') && rtsp.clients() === 0, 10_000);
  });
});
