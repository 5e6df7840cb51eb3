import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarT } from '../src/api/calendar.js';
import { localDay } from '../src/live/board-row.js';
import { login, startWorld, type Login, type World } from './helpers/world.js';

/** GET /calendar (维保检验日历) on PGlite: due days, overdue / T-7 / T-30 marks against today, scope per role. */
let w: World;
const users: Record<string, Login> = {};
let today: string;
const plus = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  w = await startWorld();
  today = localDay(w.config.alerts.timezone);
  const set = (id: string, last: string | null, valid: string | null) =>
    w.registry.db.query('UPDATE devices SET last_maintenance_on = $2, inspection_valid_until = $3 WHERE id = $1', [id, last, valid]);
  await set('EL-1', plus(-10), plus(20)); // maintenance due in 5 days (T-7); certificate valid 20 more days (T-30)
  await set('EL-2', plus(-20), '2099-01-01'); // maintenance 5 days overdue
  await set('EL-3', plus(0), plus(-1)); // maintained today (due in 15 days); certificate expired yesterday
  await set('BL-1', null, null); // a boiler: no 15-day rule, no certificate date
  for (const u of ['admin', 'insp1', 'unit1', 'maint1']) users[u] = await login(w.dashboard, u);
});
afterAll(async () => w?.close());

async function calendar(u: string, month?: string): Promise<CalendarT> {
  const res = await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/calendar${month ? `?month=${month}` : ''}`, headers: users[u]!.headers() });
  expect(res.statusCode).toBe(200);
  return res.json() as CalendarT;
}
const marks = (c: CalendarT) => c.items.map((i) => `${i.deviceId} ${i.what} ${i.due} ${i.level} ${i.daysLeft}`);

describe('GET /calendar', () => {
  it('lists the due days of the month with T-7 / T-30 marks, and everything overdue whatever its month', async () => {
    const c = await calendar('admin', plus(5).slice(0, 7));
    expect(c.today).toBe(today);
    expect(marks(c)).toEqual(expect.arrayContaining([`EL-1 maintenance ${plus(5)} t7 5`, `EL-2 maintenance ${plus(-5)} overdue -5`, `EL-3 inspection ${plus(-1)} overdue -1`]));
    // the month shows exactly what falls in it, besides the overdue
    const month = plus(5).slice(0, 7);
    for (const i of c.items) expect(i.level === 'overdue' || i.due.startsWith(month)).toBe(true);
    expect(c.items.some((i) => i.deviceId === 'BL-1')).toBe(false);
    // sorted by day
    expect(c.items.map((i) => i.due)).toEqual([...c.items.map((i) => i.due)].sort());
    const later = await calendar('admin', plus(20).slice(0, 7));
    expect(marks(later)).toContain(`EL-1 inspection ${plus(20)} t30 20`);
    expect(marks(await calendar('admin', '2099-01'))).toContain('EL-2 inspection 2099-01-01 later ' + String(Math.round((Date.parse('2099-01-01') - Date.parse(today)) / 86_400_000)));
  });

  it('keeps to each role\'s scope', async () => {
    const ids = async (u: string) => [...new Set((await calendar(u, plus(5).slice(0, 7))).items.map((i) => i.deviceId))].sort();
    expect(await ids('admin')).toEqual(['EL-1', 'EL-2', 'EL-3']);
    expect(await ids('insp1')).toEqual(['EL-1', 'EL-2']);
    expect(await ids('unit1')).toEqual(['EL-1']);
    expect(await ids('maint1')).toEqual(['EL-1', 'EL-3']);
  });

  it('defaults to this month and refuses a malformed month', async () => {
    expect((await calendar('admin')).month).toBe(today.slice(0, 7));
    const res = await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/calendar?month=2026-13', headers: users.admin!.headers() });
    expect([res.statusCode, (res.json() as { code: string }).code]).toEqual([400, 'TW_PAYLOAD_INVALID']);
    const anon = await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/calendar' });
    expect(anon.statusCode).toBe(401);
  });
});
