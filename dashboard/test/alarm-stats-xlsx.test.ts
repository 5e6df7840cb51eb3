import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startWorld, type Login, type World } from './helpers/world.js';
import { xlsxRows } from './helpers/xlsx.js';

/**
 * The statistics table as an .xlsx (统计分析 → 导出 Excel): the same groups and total as the JSON answer, in scope,
 * Chinese headers, rates in % and durations in minutes. Seeded by hand so that every figure is known.
 */
let w: World;
let admin: Login;
let insp1: Login;
const FROM = '2026-10-01T00:00:00Z';
const TO = '2026-11-01T00:00:00Z';

beforeAll(async () => {
  w = await startWorld();
  const at = (min: number) => new Date(Date.parse('2026-10-05T02:00:00Z') + min * 60_000);
  // EL-1 (G1, D1): two trapped passengers, one answered in 2 min and on site in 20, one answered in 10 min;
  // EL-3 (G3, D2): one overspeed, fixed and closed
  const rows: [string, string, string, Date, Date | null, Date | null, Date | null, string | null][] = [
    ['EL-1', 'U1', 'fault:11', at(0), at(2), at(20), at(60), 'resolved'],
    ['EL-1', 'U1', 'fault:11', at(100), at(110), null, null, 'false_alarm'],
    ['EL-3', 'U3', 'overspeed', at(200), at(204), null, at(260), 'resolved'],
  ];
  for (const [subject, unit, type, first, ack, arrived, rect, outcome] of rows)
    await w.registry.db.query(
      `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, acknowledged_at, arrived_at, rectified_at, closed_at)
       VALUES ('device', $1, $2, $3, 'critical', 'closed', $4, 't', $5, $5, $6, $7, $8, $5)`,
      [subject, unit, type, outcome, first, ack, arrived, rect],
    );
  [admin, insp1] = (await Promise.all(['admin', 'insp1'].map((u) => login(w.dashboard, u)))) as [Login, Login];
});
afterAll(async () => w?.close());

async function sheet(l: Login, query: string): Promise<unknown[][]> {
  return xlsxRows(await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/stats/alarms?from=${FROM}&to=${TO}&${query}&format=xlsx`, headers: l.headers() }));
}

describe('GET /stats/alarms?format=xlsx', () => {
  it('writes the groups and the total with Chinese headers, rates in % and medians in minutes', async () => {
    const rows = await sheet(admin, 'groupBy=district');
    expect(rows[0]!.slice(0, 6)).toEqual(['辖区 / 网格', '报警数', '确认用时中位数（分钟）', '困人报警', '3分钟响应', '3分钟响应率（%）']);
    const g1 = rows.find((r) => r[0] === '东一网格')!;
    // 2 alarms; ack after 2 and 10 min (median 6); 2 trapped, 1 answered within 3 min (50 %), 1 on site within 30 (50 %);
    // 1 rectified and closed (100 %), 60 min to the fix
    expect(g1).toEqual(['东一网格', 2, 6, 2, 1, 50, 1, 50, 1, 1, 100, 60]);
    expect(rows.find((r) => r[0] === '西一网格')).toEqual(['西一网格', 1, 4, 0, 0, null, 0, null, 1, 1, 100, 60].map((v) => (v === null ? undefined : v)));
    expect(rows.at(-1)!.slice(0, 4)).toEqual(['合计', 3, 4, 2]);
    // the same figures as the JSON answer
    const json = (await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/stats/alarms?from=${FROM}&to=${TO}&groupBy=district`, headers: admin.headers() })).json() as { groups: { name: string; alarms: number }[] };
    expect(rows.slice(1, -1).map((r) => [r[0], r[1]])).toEqual(json.groups.map((g) => [g.name, g.alarms]));
  });

  it('keeps to the caller\'s scope and groups by maintenance company', async () => {
    const rows = await sheet(insp1, 'groupBy=company');
    expect(rows[0]![0]).toBe('维保单位');
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([['快修电梯', 2], ['合计', 2]]);
  });
});
