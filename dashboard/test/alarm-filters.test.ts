import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmMatches, alarmQuery, emptyAlarmFilters, type Alarm, type AlarmFilters } from '../web/src/api/alarms.js';
import type { District } from '@tianwang/core/registry';
import { login, startWorld, type Login, type World } from './helpers/world.js';

/**
 * The alarm centre decides in the browser whether a live alarm belongs in the list under its filters
 * (web/src/api/alarms.ts alarmMatches); the server's GET /alarms decides for the pages. Both must agree: every
 * filter combination here is asked of the server and of alarmMatches over all alarms, and the ids must be equal.
 */
let w: World;
let admin: Login;
let all: Alarm[];
let districts: District[];

beforeAll(async () => {
  w = await startWorld();
  const at = (h: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + h * 3_600_000);
  const rows: [string, string, string | null, string, string, string, string | null, Date][] = [
    ['device', 'EL-1', 'U1', 'fault:11', 'critical', 'open', null, at(1)],
    ['device', 'EL-2', 'U2', 'fault:11', 'critical', 'acknowledged', null, at(2)],
    ['device', 'EL-3', 'U3', 'overspeed', 'major', 'rectified', null, at(3)],
    ['device', 'BL-1', 'U1', 'low_water', 'critical', 'closed', 'resolved', at(4)],
    ['device', 'EL-1', 'U1', 'door_open', 'minor', 'closed', 'false_alarm', at(5)],
    ['device', 'EL-3', 'U3', 'fault:11', 'critical', 'closed', 'auto_cleared', at(6)],
    ['camera', 'CAM-1', null, 'no_hat', 'warning', 'open', null, at(7)],
    ['camera', 'CAM-3', null, 'rodent', 'minor', 'closed', 'resolved', at(8)],
  ];
  for (const [type, subject, unit, rule, severity, status, outcome, first] of rows)
    await w.registry.db.query(
      `INSERT INTO alarms (subject_type, subject_id, unit_id, kitchen_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 't', $9, $9, CASE WHEN $7 = 'closed' THEN $9::timestamptz END)`,
      [type, subject, unit, type === 'camera' ? (subject === 'CAM-1' ? 'K1' : 'K3') : null, rule, severity, status, outcome, first],
    );
  admin = await login(w.dashboard, 'admin');
  all = await list({});
  districts = (await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/districts', headers: admin.headers() })).json() as District[];
});
afterAll(async () => w?.close());

async function list(q: Record<string, string | number | boolean | null | undefined>): Promise<Alarm[]> {
  const p = new URLSearchParams({ limit: '1000' });
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const res = await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/alarms?${p.toString()}`, headers: admin.headers() });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: Alarm[] }).items;
}

const range = (fromH: number, toH: number): [Date, Date] => [new Date(Date.parse('2026-11-01T00:00:00Z') + fromH * 3_600_000), new Date(Date.parse('2026-11-01T00:00:00Z') + toH * 3_600_000)];
const CASES: Partial<AlarmFilters>[] = [
  {}, { state: 'open' }, { state: 'acknowledged' }, { state: 'rectified' }, { state: 'closed' }, { state: 'false_alarm' }, { state: 'auto_cleared' },
  { severity: 'critical' }, { type: 'fault:11' }, { kind: 'elevator' }, { kind: 'boiler' }, { kind: 'camera' },
  { unitId: 'U1' }, { companyId: 'M1' }, { districtId: 'D1' }, { districtId: 'G3' }, { districtId: 'D2', kind: 'camera' },
  { range: range(2, 6) }, { range: range(5, 5.5) }, { state: 'closed', districtId: 'D2', severity: 'minor' },
];

describe('the alarm list filters in the browser and on the server agree', () => {
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('%s', async (_, c) => {
    const f = { ...emptyAlarmFilters(), ...c };
    const server = (await list(alarmQuery(f))).map((a) => a.id).sort();
    const browser = all.filter((a) => alarmMatches(a, f, districts)).map((a) => a.id).sort();
    expect(browser).toEqual(server);
  });

  it('covers alarms of every kind and state (the cases can fail)', () => {
    expect(all).toHaveLength(8);
    expect(new Set(all.map((a) => a.state))).toEqual(new Set(['open', 'acknowledged', 'rectified', 'closed', 'false_alarm', 'auto_cleared']));
  });
});
