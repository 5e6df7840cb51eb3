import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './helpers/relay-fixture.js';

// The relay's tuning comes from the configuration (TW_STREAMS_*_MS, TW_RTMP_*), not from constants in the code.
describe('configured tuning', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ env: { TW_RTMP_MAX_CHUNK_STREAMS: '5', TW_RTMP_MAX_PENDING_PER_IP: '3', TW_RTMP_DECIDE_WITHIN_MS: '2500' }, tuning: { rtmpLimits: { refusedLingerMs: 7 } } });
  }, 60_000);
  afterAll(() => f?.stop());

  it('the RTMP guard runs with the TW_RTMP_* values, defaults for the rest, and a test override on top', () => {
    expect(f.streams.internals.nms?.guard.limits).toEqual({
      decideWithinMs: 2500,
      maxPending: 256,
      maxPendingPerIp: 3,
      pendingBufferBytes: 65_536,
      playerBufferBytes: 65_536,
      publisherBufferBytes: 16_777_216,
      maxChunkStreams: 5,
      refusedLingerMs: 7,
    });
  });
});
