import { describe, expect, it } from 'vitest';
import {
  BACKOFF_MAX_MS, backoffMs, initialTile, latencyAction, renewDelayMs, shown, step, type Effect, type TileEvent, type TileModel,
} from '../web/src/views/kitchens/wall/tile-machine.js';
import { rotationPage } from '../web/src/views/kitchens/wall/rotation.js';

/** The video wall tile's decisions (web/src/views/kitchens/wall/tile-machine.ts), without a browser. */
const run = (events: TileEvent[], m: TileModel = initialTile(true)) => {
  const effects: Effect[][] = [];
  for (const e of events) {
    const r = step(m, e, () => 0.5);
    m = r.model;
    effects.push(r.effects);
  }
  return { m, effects };
};

describe('video wall tile state machine', () => {
  it('a camera on a visible tile connects, goes live on progress, and the badge follows', () => {
    const { m, effects } = run([{ type: 'assign', cameraId: 'CAM-1' }]);
    expect(m.phase).toBe('connecting');
    expect(effects[0]).toEqual([{ type: 'open' }]);
    expect(shown(m)).toBe('connecting');
    const live = step(m, { type: 'progress' }).model;
    expect([live.phase, shown(live)]).toEqual(['live', 'live']);
  });

  it('a hidden tab or an off-screen tile releases the stream (keeping the last frame) and reconnects when visible again', () => {
    const { m } = run([{ type: 'assign', cameraId: 'CAM-1' }, { type: 'progress' }]);
    const hidden = step(m, { type: 'visible', visible: false });
    expect(hidden.model.phase).toBe('paused');
    expect(hidden.effects).toEqual([{ type: 'close', capture: true }]);
    expect(shown(hidden.model)).toBe('paused');
    const back = step(hidden.model, { type: 'visible', visible: true });
    expect(back.model.phase).toBe('connecting');
    expect(back.effects).toEqual([{ type: 'open' }]);
    // a camera assigned while hidden waits; nothing opens until visible
    const whileHidden = step(initialTile(false), { type: 'assign', cameraId: 'CAM-2' });
    expect([whileHidden.model.phase, whileHidden.effects]).toEqual(['paused', []]);
  });

  it('a stall keeps the last frame, closes and retries with exponential backoff; frames reset the attempts', () => {
    let { m } = run([{ type: 'assign', cameraId: 'CAM-1' }, { type: 'progress' }]);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = step(m, { type: i === 0 ? 'stall' : 'error' }, () => 0.5);
      expect(r.effects[0]).toEqual({ type: 'close', capture: true });
      const s = r.effects[1] as { type: 'schedule-retry'; ms: number };
      expect(s.type).toBe('schedule-retry');
      delays.push(s.ms);
      expect(shown(r.model)).toBe('stalled');
      const retry = step(r.model, { type: 'retry' });
      expect(retry.effects).toEqual([{ type: 'open' }]);
      m = retry.model;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(m.attempt).toBe(7);
    m = step(m, { type: 'progress' }).model;
    expect([m.attempt, m.stalled, shown(m)]).toEqual([0, false, 'live']);
  });

  it('backoff has ±20 % jitter and never exceeds the cap by more', () => {
    expect(backoffMs(1, 0)).toBe(800);
    expect(backoffMs(1, 0.999)).toBe(1200);
    expect(backoffMs(20, 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS * 1.2);
  });

  it('a retry timer that fires after the tile was hidden or reassigned does nothing', () => {
    const { m } = run([{ type: 'assign', cameraId: 'CAM-1' }, { type: 'error' }]);
    expect(m.phase).toBe('waiting');
    const hidden = step(m, { type: 'visible', visible: false });
    expect(hidden.effects).toEqual([{ type: 'cancel-retry' }]);
    expect(step(hidden.model, { type: 'retry' }).effects).toEqual([]);
    const other = step(m, { type: 'assign', cameraId: 'CAM-2' });
    expect(other.effects).toEqual([{ type: 'cancel-retry' }, { type: 'open' }]);
    expect(other.model.attempt).toBe(0);
  });

  it('the relay’s health names what the player cannot see: blank and frozen over live, offline while connecting', () => {
    const { m } = run([{ type: 'assign', cameraId: 'CAM-1' }, { type: 'progress' }]);
    expect(shown(step(m, { type: 'health', health: 'blank' }).model)).toBe('blank');
    expect(shown(step(m, { type: 'health', health: 'frozen' }).model)).toBe('frozen');
    expect(shown(step(m, { type: 'health', health: 'offline' }).model)).toBe('live');
    const failing = run([{ type: 'error' }, { type: 'health', health: 'offline' }], m).m;
    expect(shown(failing)).toBe('offline');
    // a new camera forgets the old one's health
    expect(step(failing, { type: 'assign', cameraId: 'CAM-2' }).model.health).toBe('unknown');
  });

  it('clearing a tile closes without keeping a frame; the same camera again changes nothing', () => {
    const { m } = run([{ type: 'assign', cameraId: 'CAM-1' }, { type: 'progress' }]);
    expect(step(m, { type: 'assign', cameraId: 'CAM-1' }).effects).toEqual([]);
    const cleared = step(m, { type: 'assign', cameraId: null });
    expect([cleared.model.phase, cleared.effects]).toEqual(['idle', [{ type: 'close', capture: false }]]);
  });
});

describe('live latency policy', () => {
  it('jumps when more than 2 s behind, chases between 1 and 2 s until back under 0.5 s, else plays at 1×', () => {
    expect(latencyAction(3.1, 1)).toEqual({ rate: 1, seekBack: 0.5 });
    expect(latencyAction(1.5, 1)).toEqual({ rate: 1.25 });
    expect(latencyAction(0.8, 1.25)).toEqual({ rate: 1.25 });
    expect(latencyAction(0.4, 1.25)).toEqual({ rate: 1 });
    expect(latencyAction(0.8, 1)).toEqual({ rate: 1 });
  });
});

describe('play URL renewal', () => {
  it('renews a minute before expiry, earlier for short lifetimes, at once when already expired', () => {
    const now = Date.parse('2026-12-03T00:00:00Z');
    expect(renewDelayMs('2026-12-03T00:05:00Z', now)).toBe(240_000);
    expect(renewDelayMs(now / 1000 + 300, now)).toBe(240_000);
    expect(renewDelayMs('2026-12-03T00:01:00Z', now)).toBe(48_000);
    expect(renewDelayMs('2026-12-02T23:59:00Z', now)).toBe(1000);
  });
});

describe('轮巡 rotation', () => {
  it('pages through the list tile by tile, wrapping; a list shorter than the wall just fills it', () => {
    const list = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(rotationPage(list, 4, 0)).toEqual(['a', 'b', 'c', 'd']);
    expect(rotationPage(list, 4, 1)).toEqual(['e', 'f', 'a', 'b']);
    expect(rotationPage(list, 4, 2)).toEqual(['c', 'd', 'e', 'f']);
    expect(rotationPage(['a', 'b'], 4, 5)).toEqual(['a', 'b', null, null]);
    expect(rotationPage([], 1, 0)).toEqual([null]);
  });
});
