import { describe, expect, it } from 'vitest';
import { filterBoard } from '../src/api/devices/board-list.js';
import type { BoardRow } from '../src/live/board-row.js';

const row = (id: string, over: Partial<BoardRow> = {}): BoardRow =>
  ({
    id, kind: 'elevator', registrationCode: `3110310100201907${id.slice(-4)}`, name: `${id} 客梯`, location: '1号楼', unitId: 'U1', unitName: '阳光花园物业',
    districtId: 'G1', districtName: '第一网格', maintenanceCompanyId: null, enabled: true, activeAlarms: 0, online: true, onlineSince: null, lastSeen: null,
    telemetry: null, telemetryTs: null, activeEvents: [], maintenanceOverdue: false, inspectionExpiring: false, inspectionExpired: false, ...over,
  }) as BoardRow;
const all = { kind: 'all', key: 'all' } as const;
const ids = (rows: BoardRow[]) => rows.map((r) => r.id);

describe('board text search', () => {
  it('matches any of id, name, registration code, location and unit name, case-insensitively', () => {
    const rows = [row('EL-0001'), row('EL-0002', { unitName: 'Riverside Estates', location: 'Tower B' })];
    expect(ids(filterBoard(rows, all, { q: 'riverside' }))).toEqual(['EL-0002']);
    expect(ids(filterBoard(rows, all, { q: 'tower b' }))).toEqual(['EL-0002']);
    expect(ids(filterBoard(rows, all, { q: 'el-0001' }))).toEqual(['EL-0001']);
    expect(ids(filterBoard(rows, all, { q: '阳光' }))).toEqual(['EL-0001']);
    expect(ids(filterBoard(rows, all, { q: '0002' }))).toEqual(['EL-0002']);
  });

  it('follows a row renamed in place (the registry refresh updates rows, it does not replace them)', () => {
    const r = row('EL-0003');
    expect(ids(filterBoard([r], all, { q: '阳光' }))).toEqual(['EL-0003']);
    r.unitName = '明月小区物业';
    expect(filterBoard([r], all, { q: '阳光' })).toEqual([]);
    expect(ids(filterBoard([r], all, { q: '明月' }))).toEqual(['EL-0003']);
  });

  it('never matches across two fields', () => {
    const r = row('EL-0004', { name: 'abc', location: 'def' });
    expect(filterBoard([r], all, { q: 'c\nd' })).toEqual([]);
    expect(filterBoard([r], all, { q: 'cd' })).toEqual([]);
  });
});
