import { describe, expect, it } from 'vitest';
import { BoardState, LAST_SEEN_EVERY_MS } from '../src/live/board-state.js';
import type { RegistryRow } from '../src/live/board-row.js';

const registryRow: RegistryRow = {
  id: 'EL-1', kind: 'elevator', registrationCode: 'x', name: '', location: '', unitId: 'U1', unitName: '', districtId: 'G1', districtName: '',
  maintenanceCompanyId: null, enabled: true, lastMaintenanceOn: null, inspectionValidUntil: null, activeAlarms: 0,
};

/** The board with its own clock: the coarse lastSeen is a matter of time. */
function board() {
  const clock = { now: 1_700_000_000_000 };
  const b = new BoardState(() => clock.now);
  b.setRegistry([registryRow], '2026-01-01');
  b.takePatches();
  const reading = (telemetry: Record<string, unknown>) => b.applyChange({ id: 'EL-1', ts: clock.now, changes: { telemetryTs: clock.now, telemetry } });
  return { b, clock, reading };
}

describe('board patches: status for every row, the live part for watched ones', () => {
  it('splits telemetry into the live part, with only the keys that changed once there is a telemetry to merge into', () => {
    const { b, clock, reading } = board();
    reading({ floor: 1, direction: 'up', speed: 1.2 });
    const [first] = b.takePatches();
    expect(first!.live).toEqual({ telemetryTs: clock.now, lastSeen: clock.now, telemetry: { floor: 1, direction: 'up', speed: 1.2 } });
    expect(first!.fields).not.toHaveProperty('telemetry');
    expect(first!.fields).not.toHaveProperty('telemetryTs');

    clock.now += 1000;
    reading({ floor: 2, direction: 'up', speed: 1.2 });
    clock.now += 10;
    reading({ floor: 2, direction: 'up', speed: 1.5 });
    const [second] = b.takePatches();
    // two readings in one flush: the keys either changed
    expect(second!.live).toEqual({ telemetryTs: clock.now, lastSeen: clock.now, tm: { floor: 2, speed: 1.5 } });

    clock.now += 1000;
    reading({ floor: 2, direction: 'up' });
    // a key went away: merging would keep it, so the whole telemetry goes
    expect(b.takePatches()[0]!.live).toMatchObject({ telemetry: { floor: 2, direction: 'up' } });
    expect(b.takePatches()).toEqual([]);
  });

  it('sends lastSeen with the status once a minute per device, each device at its own point of the minute', () => {
    const { b, clock, reading } = board();
    const created = clock.now;
    const sentAt: number[] = [];
    for (let s = 0; s < 130; s++) {
      reading({ floor: s });
      const [p] = b.takePatches();
      if (p!.fields.lastSeen !== undefined) {
        expect(p!.fields.lastSeen).toBe(clock.now);
        sentAt.push(clock.now);
      }
      clock.now += 1000;
    }
    expect(sentAt[0]! - created).toBeLessThanOrEqual(LAST_SEEN_EVERY_MS);
    expect(sentAt.slice(1).map((t, i) => t - sentAt[i]!)).toEqual(sentAt.length === 3 ? [LAST_SEEN_EVERY_MS, LAST_SEEN_EVERY_MS] : [LAST_SEEN_EVERY_MS]);
  });

  it('spreads the lastSeen of many devices over the minute', () => {
    const clock = { now: 1_700_000_000_000 };
    const b = new BoardState(() => clock.now);
    b.setRegistry(Array.from({ length: 600 }, (_, i) => ({ ...registryRow, id: `EL-${i}` })), '2026-01-01');
    b.takePatches();
    const perSecond: number[] = [];
    const seen = new Set<string>();
    for (let s = 0; s <= 60; s++) {
      for (let i = 0; i < 600; i++) b.applyChange({ id: `EL-${i}`, ts: clock.now, changes: { telemetryTs: clock.now, telemetry: { floor: s } } });
      const sent = b.takePatches().filter((p) => p.fields.lastSeen !== undefined);
      sent.forEach((p) => seen.add(p.id));
      perSecond.push(sent.length);
      clock.now += 1000;
    }
    // 600 devices within a minute: every one, ~10 a flush, never all at once
    expect(seen.size).toBe(600);
    expect(Math.max(...perSecond)).toBeLessThan(60);
  });

  it('a status change goes out without any telemetry', () => {
    const { b, clock } = board();
    b.applyChange({ id: 'EL-1', ts: clock.now, changes: { online: false } });
    const [p] = b.takePatches();
    expect(p!.fields).toMatchObject({ online: false, onlineSince: clock.now });
    expect(p!.live).toMatchObject({ lastSeen: clock.now });
    expect(p!.live).not.toHaveProperty('telemetry');
    expect(p!.live).not.toHaveProperty('tm');
  });
});
