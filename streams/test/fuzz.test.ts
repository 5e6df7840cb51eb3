import { describe, expect, it } from 'vitest';
import { fuzzRelay } from './helpers/fuzz-session.js';

// Bounded fuzzing in the suite (a longer run: `npm run fuzz:streams -- --minutes N`): random and mutated RTMP
// handshakes, chunk headers and AMF commands, and HTTP/WebSocket requests against a relay in its own process,
// while a real camera publishes and a real player plays. The relay must not exit, its RSS must stay bounded,
// and the player must keep getting frames. The seed is in every failure message, to replay the run.
const SEED = Number(process.env.TW_FUZZ_SEED ?? Date.now() & 0x7fffffff);

describe('fuzzing the relay', () => {
  it('stays up, keeps its memory and keeps the player playing through 20 s of hostile connections', { timeout: 120_000 }, async () => {
    const r = await fuzzRelay({ durationMs: 20_000, concurrency: 8, seed: SEED });
    const about = `seed ${r.seed} (TW_FUZZ_SEED=${r.seed} to replay): ${JSON.stringify({ ...r, crashTails: undefined })}`;
    expect(r.crashes, `${about}\n${r.crashTails.join('\n---\n')}`).toBe(0);
    expect(r.connections.rtmp + r.connections.http, about).toBeGreaterThan(300);
    expect(r.rssAfterMb - r.rssBeforeMb, about).toBeLessThan(100);
    expect(r.playerFrames, about).toBeGreaterThan(100);
    expect(r.playerMaxGapMs, about).toBeLessThan(5000);
  });
});
