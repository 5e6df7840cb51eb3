import { describe, expect, it } from 'vitest';
import type { Scope } from '../src/auth/scope.js';
import { BOARD_SORTS, filterBoard, filterOrdered, pageJson, pageOfBoard, type BoardFilter } from '../src/api/devices/board-list.js';
import { BoardIndex, byId, cmpKey, keyOf, type BoardSort } from '../src/live/board-index.js';
import type { RegistryRow } from '../src/live/board-row.js';
import { BoardState } from '../src/live/board-state.js';

/** A small deterministic PRNG (mulberry32): a failure names its seed and replays. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCOPES: Scope[] = [
  { kind: 'all', key: 'all' },
  { kind: 'districts', key: 'd:D1', districtIds: ['G1', 'G2'], districts: new Set(['G1', 'G2']) },
  { kind: 'unit', key: 'u:U3', unitId: 'U3' },
  { kind: 'company', key: 'm:M1', companyId: 'M1' },
];
const FILTERS: BoardFilter[] = [{}, { online: true }, { kind: 'elevator', districts: new Set(['G2']) }, { q: '单位3' }, { q: ' 3号梯', online: false }, { alarm: true }, { overdue: false, unitId: 'U1' }];

/** The reference: every row tested against the scope and filters, then sorted in full, per request (the old way). */
function plainPage(board: BoardState, scope: Scope, f: BoardFilter, sort: BoardSort, order: 'asc' | 'desc') {
  const sign = order === 'asc' ? 1 : -1;
  return filterBoard(board.rows(), scope, f)
    .map((r) => ({ r, k: keyOf(r, sort) }))
    .sort((a, b) => sign * (cmpKey(sort === 'id' ? a.r.id : a.k, sort === 'id' ? b.r.id : b.k) || byId(a.r.id, b.r.id)))
    .map((x) => x.r);
}

describe('board index: per-scope rows, sorted orders and search matches kept between requests', () => {
  it('answers every scope, filter, search, sort and order exactly as a plain filter and sort, over random changes', () => {
    const seed = 20261203;
    const rand = rng(seed);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    let now = 1_000_000;
    const board = new BoardState(() => now);
    const index = new BoardIndex(board);
    const registry: RegistryRow[] = Array.from({ length: 300 }, (_, i) => ({
      id: `EL-${String(i).padStart(4, '0')}`, kind: i % 7 === 0 ? 'boiler' : 'elevator', registrationCode: `3110${i % 13}`, name: `${i % 17}号梯`, location: '1号楼',
      unitId: `U${i % 5}`, unitName: `单位${i % 5}`, districtId: `G${i % 3}`, districtName: `网格${i % 3}`, maintenanceCompanyId: i % 2 ? 'M1' : null, enabled: true,
      lastMaintenanceOn: null, inspectionValidUntil: null, activeAlarms: 0,
    }));
    board.setRegistry(registry, '2026-12-03');
    let compared = 0;
    for (let step = 0; step < 400; step++) {
      // a random change: readings and status (lastSeen, online), alarm counts, a move or rename, a device coming or going
      const what = rand();
      if (what < 0.6) {
        for (let n = 0; n < 1 + rand() * 20; n++) {
          now += Math.floor(rand() * 50);
          const id = pick(registry).id;
          board.applyChange({ id, ts: now - Math.floor(rand() * 3000), changes: rand() < 0.3 ? { online: rand() < 0.5 } : { telemetryTs: now, telemetry: { floor: Math.floor(rand() * 9) } } } as never);
        }
      } else if (what < 0.75) {
        board.setAlarmCounts(new Map(registry.filter(() => rand() < 0.1).map((r) => [r.id, 1 + Math.floor(rand() * 3)])));
      } else if (what < 0.9) {
        const r = pick(registry);
        if (rand() < 0.5) r.unitId = `U${Math.floor(rand() * 5)}`;
        else {
          r.name = `${Math.floor(rand() * 17)}号梯`;
          if (rand() < 0.5) r.unitName = `单位${Math.floor(rand() * 5)}`;
        }
        r.districtId = rand() < 0.3 ? `G${Math.floor(rand() * 3)}` : r.districtId;
        board.setRegistry(registry, '2026-12-03');
      } else {
        const i = Math.floor(rand() * registry.length);
        const [gone] = registry.splice(i, 1);
        board.setRegistry(registry, '2026-12-03');
        if (rand() < 0.5) registry.splice(i, 0, gone!);
        board.setRegistry(registry, '2026-12-03');
      }
      board.takePatches();
      for (let q = 0; q < 3; q++) {
        const scope = pick(SCOPES);
        const f = pick(FILTERS);
        const sort = pick(BOARD_SORTS);
        const order = pick(['asc', 'desc'] as const);
        const want = plainPage(board, scope, f, sort, order);
        const got = pageOfBoard(filterOrdered(index.ordered(scope, sort), f, (q) => index.matching(q)), { sort, order, limit: 1000 });
        expect(got.items.map((r) => r.id), `seed ${seed} step ${step}: ${scope.key} ${JSON.stringify(f)} ${sort} ${order}`).toEqual(want.map((r) => r.id));
        expect(got.total).toBe(want.length);
        // and paging through it with cursors, 7 at a time, gives the same rows
        const paged: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const p = pageOfBoard(filterOrdered(index.ordered(scope, sort), f, (q) => index.matching(q)), { sort, order, limit: 7, ...(cursor ? { cursor } : {}) });
          paged.push(...p.items.map((r) => r.id));
          if (!p.nextCursor) break;
          cursor = p.nextCursor;
        }
        expect(paged).toEqual(want.map((r) => r.id));
        compared++;
      }
    }
    expect(compared).toBe(1200);
  });

  it('serves each row as the JSON of its current state, after every kind of change', () => {
    let now = 5_000;
    const board = new BoardState(() => now);
    const reg: RegistryRow = { id: 'EL-1', kind: 'elevator', registrationCode: 'R1', name: '1号梯', location: 'A', unitId: 'U1', unitName: '单位1', districtId: 'G1', districtName: '网格1', maintenanceCompanyId: null, enabled: true, lastMaintenanceOn: null, inspectionValidUntil: null, activeAlarms: 0 };
    board.setRegistry([reg], '2026-12-03');
    const json = () => JSON.parse(pageJson({ items: [board.get('EL-1')!], nextCursor: null, total: 1 }, (r) => board.rowJson(r)).toString('utf8')) as { items: unknown[] };
    const same = () => expect(json()).toEqual({ items: [board.get('EL-1')], nextCursor: null, total: 1 });
    same();
    now += 1000;
    board.applyChange({ id: 'EL-1', ts: now, changes: { telemetryTs: now, telemetry: { floor: 3 } } } as never);
    same();
    board.applyChange({ id: 'EL-1', ts: now, changes: { online: true } } as never);
    same();
    board.setAlarmCounts(new Map([['EL-1', 2]]));
    same();
    board.setRegistry([{ ...reg, name: '改名梯', unitName: '新单位' }], '2026-12-03');
    same();
    expect(json().items[0]).toMatchObject({ name: '改名梯', unitName: '新单位', activeAlarms: 2, online: true, telemetry: { floor: 3 } });
  });
});
