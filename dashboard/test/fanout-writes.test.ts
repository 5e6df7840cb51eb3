import { describe, expect, it } from 'vitest';
import type { Scope } from '../src/auth/scope.js';
import type { BoardRow } from '../src/live/board-row.js';
import type { BoardPatch } from '../src/live/board-state.js';
import { Fanout, type LiveClient } from '../src/live/fanout.js';

const scope: Scope = { kind: 'unit', key: 'u:U1', unitId: 'U1' };
const row = (id: string): BoardRow =>
  ({ id, kind: 'elevator', unitId: 'U1', districtId: 'G1', maintenanceCompanyId: null, telemetry: { floor: 1 }, telemetryTs: 1, lastSeen: 1 }) as unknown as BoardRow;

/** A client as the fanout sees it (route.ts makes one per SSE response): what each write call carried. */
function client(stream: string, watch: string[]): LiveClient & { calls: Buffer[][] } {
  const calls: Buffer[][] = [];
  return { stream, scope, userId: 'u', sessionHash: 'h', watch: new Set(watch), backlog: () => 0, write: (...chunks) => void calls.push(chunks), close: () => {}, calls };
}

/** The `patch` event's data of one write call, parsed. */
const dataOf = (call: Buffer[]) => {
  const text = Buffer.concat(call).toString('utf8');
  expect(text).toMatch(/^event: patch\ndata: \[.*\]\n\n$/s);
  return JSON.parse(text.slice('event: patch\ndata: '.length)) as Record<string, unknown>[];
};

describe('fanout: one write per client per flush', () => {
  it('a client watching rows gets the shared head and its own rows in one write, with and without status changes', () => {
    const f = new Fanout();
    const watcher = client('s1', ['EL-1']);
    const other = client('s2', []);
    f.add(watcher);
    f.add(other);
    const rows = new Map([['EL-1', row('EL-1')], ['EL-2', row('EL-2')]]);
    const live = { telemetryTs: 2, lastSeen: 2, tm: { floor: 2 } };
    const flushes: BoardPatch[][] = [
      // status of one row and telemetry of the watched one
      [{ id: 'EL-2', fields: { online: true } }, { id: 'EL-1', fields: {}, live }],
      // telemetry only: the head is the event's opening alone
      [{ id: 'EL-1', fields: {}, live }],
    ];
    for (const patches of flushes) {
      watcher.calls.length = 0;
      other.calls.length = 0;
      f.broadcast(patches, (id) => rows.get(id));
      expect(watcher.calls).toHaveLength(1);
      expect(dataOf(watcher.calls[0]!)).toEqual([...(patches.length > 1 ? [{ id: 'EL-2', online: true }] : []), { id: 'EL-1', ...live }]);
      // a client without watched rows gets the status alone, or nothing
      expect(other.calls).toHaveLength(patches.length > 1 ? 1 : 0);
      if (patches.length > 1) expect(dataOf(other.calls[0]!)).toEqual([{ id: 'EL-2', online: true }]);
    }
  });
});
