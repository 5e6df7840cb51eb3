import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, tempDir } from '@tianwang/core/testing';
import { runFfmpeg } from '../src/ffmpeg/run-ffmpeg.js';
import { hashSecret } from '@tianwang/core/crypto';
import { cameraRow, publish, sealSource, startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// Health checks must not queue behind unreachable RTSP cameras: six pull cameras whose source accepts the
// connection and never answers (each check waits 10 s for them), and push cameras that go black, show a
// frozen picture, or stop sending while connected. Each push camera's change is seen within the interval
// (2 s here) + its analysis window (3 keyframes 1 s apart; 10 s without frames) + a little.
const INTERVAL_S = 2;
const PUSH = ['cam-z-black', 'cam-z-frozen', 'cam-z-stall'];
const url = (id: string) => f.publishUrl(id, `${id}-secret`);
let f: Fixture;
let blackhole: Server;
const held = new Set<Socket>();
const pubs: ReturnType<typeof publish>[] = [];

beforeAll(async () => {
  blackhole = createServer((s) => (held.add(s), s.on('error', () => {}), s.on('close', () => held.delete(s))));
  const port = await freePort();
  await new Promise<void>((resolve) => blackhole.listen(port, '127.0.0.1', () => resolve()));
  const pulls = Array.from({ length: 6 }, (_, i) => cameraRow(`cam-p${i}`, 'k-pub', { mode: 'pull', sourceUrlSealed: sealSource(`rtsp://127.0.0.1:${port}/p${i}`) }));
  // the pull cameras come first in the registry: a check round that walks the list meets them first
  const push = PUSH.map((id) => cameraRow(id, 'k-pub', { publishCredentialHash: hashSecret(`${id}-secret`) }));
  f = await startFixture({ env: { TW_CAMERA_HEALTH_MODE: 'all', TW_CAMERA_HEALTH_INTERVAL_S: String(INTERVAL_S) }, cameras: [...pulls, ...push] });
});

afterAll(async () => {
  pubs.forEach((p) => (p.kill('SIGCONT'), p.kill('SIGKILL')));
  await f?.stop();
  held.forEach((s) => s.destroy());
  await new Promise<void>((resolve) => blackhole?.close(() => resolve()));
});

describe('health check latency with unreachable pull cameras', () => {
  it('sees black, frozen and stalled push cameras within interval + analysis window', { timeout: 90_000 }, async () => {
    const still = join(await tempDir('still'), 'still.png');
    await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180', '-frames:v', '1', still], 10_000);
    const live = (id: string) => f.streams.internals.nms!.isLive(`/live/${id}`);
    // black from 6 s of stream time on; frozen from the start; the third is stopped (SIGSTOP) while connected
    const black = publish(url('cam-z-black'), "testsrc2=size=320x180:rate=10,drawbox=c=black:t=fill:enable='gte(t,6)'");
    const frozen = publish(url('cam-z-frozen'), still, ['-loop', '1', '-framerate', '10']);
    const stall = publish(url('cam-z-stall'));
    pubs.push(black, frozen, stall);
    await waitFor(() => live('cam-z-black') && live('cam-z-frozen') && live('cam-z-stall'), 15_000, 20);
    const liveAt = Date.now();
    await waitFor(() => f.streams.health('cam-z-stall')?.state === 'ok', 15_000, 50);
    stall.kill('SIGSTOP');
    const stalledAt = Date.now();

    const seen: Record<string, number> = {};
    await waitFor(() => {
      for (const [id, state] of [['cam-z-black', 'blank'], ['cam-z-frozen', 'frozen'], ['cam-z-stall', 'offline']] as const) {
        if (seen[id] === undefined && f.streams.health(id)?.state === state) seen[id] = Date.now();
      }
      return Object.keys(seen).length === 3;
    }, 60_000, 50);
    const window = 3; // three keyframes, one a second
    const slack = 4; // probe, encoder start, a loaded machine
    // black starts ~6 s after the camera went live
    expect((seen['cam-z-black']! - liveAt) / 1000).toBeLessThan(6 + INTERVAL_S + window + slack);
    expect((seen['cam-z-frozen']! - liveAt) / 1000).toBeLessThan(INTERVAL_S + window + slack);
    expect((seen['cam-z-stall']! - stalledAt) / 1000).toBeLessThan(10 + INTERVAL_S + slack);
    expect(f.streams.health('cam-z-stall')!.reason).toBe('connected but no frames');
    // the pull cameras were being checked meanwhile, and found offline
    expect(f.streams.health('cam-p0')?.state).toBe('offline');
  });
});
