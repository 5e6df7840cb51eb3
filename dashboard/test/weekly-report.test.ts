import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { localMidnight, previousWeek } from '../src/reports/weekly-report.js';
import { login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let dataDir: string;
let admin: Login, insp1: Login, insp2: Login, unit1: Login;
const TZ = 'Asia/Shanghai';
// Wednesday 2026-11-18 10:00 in Shanghai: the report covers Monday 2026-11-09 00:00 to Monday 2026-11-16 00:00 (+08:00)
const NOW = Date.parse('2026-11-18T02:00:00Z');
const FROM = Date.parse('2026-11-08T16:00:00Z');
const TO = Date.parse('2026-11-15T16:00:00Z');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tw-weekly-'));
  w = await startWorld({ env: { TW_DATA_DIR: dataDir, TW_TIMEZONE: TZ } });
  // alarms on both sides of each week boundary, in D1 (EL-1: G1, EL-2: G2) and D2 (EL-3)
  const at = [FROM - 1000, FROM, FROM + 3_600_000, TO - 1000, TO, FROM + 2 * 86_400_000];
  let i = 0;
  for (const [subject, unit] of [['EL-1', 'U1'], ['EL-2', 'U2'], ['EL-3', 'U3']] as const) {
    for (const t of at) {
      const trapped = i++ % 2 === 0;
      await w.registry.db.query(
        `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, acknowledged_at, closed_at)
         VALUES ('device', $1, $2, $3, 'critical', 'closed', 'resolved', 't', $4, $4, $5, $5)`,
        [subject, unit, trapped ? 'fault:11' : 'overspeed', new Date(t), new Date(t + (trapped ? 120_000 : 600_000))],
      );
    }
  }
  [admin, insp1, insp2, unit1] = (await Promise.all(['admin', 'insp1', 'insp2', 'unit1'].map((u) => login(w.dashboard, u)))) as [Login, Login, Login, Login];
});
afterAll(async () => {
  await w?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const get = (s: Login, url: string) => w.dashboard.app.inject({ method: 'GET', url, headers: s.headers() });

async function sheets(buf: Buffer): Promise<Record<string, unknown[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const out: Record<string, unknown[][]> = {};
  for (const ws of wb.worksheets) {
    out[ws.name] = [];
    ws.eachRow((r) => out[ws.name]!.push((r.values as unknown[]).slice(1)));
  }
  return out;
}

describe('weekly report', () => {
  it('knows the calendar week before, in the configured time zone', () => {
    expect(previousWeek(NOW, TZ)).toBe('2026-11-09');
    // Monday 00:30 in Shanghai is still Sunday in UTC: the week before is the one ending that midnight
    expect(previousWeek(Date.parse('2026-11-15T16:30:00Z'), TZ)).toBe('2026-11-09');
    expect(localMidnight('2026-11-09', TZ)).toBe(FROM);
  });

  it('runs as a queued job and writes each district’s week as .xlsx, the figures equal to the rows', async () => {
    const files = await w.dashboard.reports().runNow(NOW);
    expect(files.map((f) => f.slice(dataDir.length)).sort()).toEqual(['/reports/D1/weekly-2026-11-09.xlsx', '/reports/D2/weekly-2026-11-09.xlsx']);
    const list = (await get(insp1, '/api/v1/reports')).json().items as { districtId: string; week: string; url: string }[];
    expect(list.map((r) => [r.districtId, r.week])).toEqual([['D1', '2026-11-09']]);
    const res = await get(insp1, list[0]!.url);
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    const s = await sheets(res.rawPayload);
    // the independent computation: D1's alarms first seen in [FROM, TO)
    const [want] = await w.registry.db.query<{ n: number; trapped: number; g1: number; g2: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE a.type = 'fault:11')::int AS trapped,
         count(*) FILTER (WHERE u.district_id = 'G1')::int AS g1, count(*) FILTER (WHERE u.district_id = 'G2')::int AS g2
       FROM alarms a JOIN devices d ON d.id = a.subject_id JOIN units u ON u.id = d.unit_id
       WHERE u.district_id IN ('G1', 'G2') AND a.first_seen_at >= $1 AND a.first_seen_at < $2`,
      [new Date(FROM), new Date(TO)],
    );
    expect(want!.n).toBe(8);
    const summary = Object.fromEntries(s['概况']!.slice(1).map(([k, v]) => [k, v]));
    expect(summary['报警总数']).toBe(want!.n);
    expect(summary['困人报警']).toBe(want!.trapped);
    expect(summary['3 分钟响应率']).toBe('100.0%');
    const grids = Object.fromEntries(s['网格']!.slice(1).map((r) => [r[0], r[1]]));
    expect(grids).toEqual({ 东一网格: want!.g1, 东二网格: want!.g2 });
    expect(s['每日']!.slice(1).reduce((n, r) => n + (r[3] as number), 0)).toBe(want!.n);
  });

  it('keeps each district’s reports to its inspectors', async () => {
    // the week's reports, written by this test (the job writes the same files again)
    await w.dashboard.reports().runNow(NOW);
    expect(((await get(insp2, '/api/v1/reports')).json().items as { districtId: string }[]).map((r) => r.districtId)).toEqual(['D2']);
    expect(((await get(admin, '/api/v1/reports')).json().items as { districtId: string }[]).map((r) => r.districtId)).toEqual(['D1', 'D2']);
    expect((await get(insp2, '/api/v1/reports/D1/weekly-2026-11-09.xlsx')).statusCode).toBe(404);
    expect((await get(insp1, '/api/v1/reports/D1/weekly-2026-01-05.xlsx')).statusCode).toBe(404);
    expect((await get(insp1, '/api/v1/reports/D1/..%2Fsecret.key')).statusCode).toBe(400);
    expect((await get(unit1, '/api/v1/reports')).statusCode).toBe(403);
  });
});
