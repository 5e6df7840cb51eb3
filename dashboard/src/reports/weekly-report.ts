import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scope } from '../auth/scope.js';
import { alarmStatistics, type AlarmStats } from '../api/alarms/stats.js';
import type { ApiContext } from '../api/context.js';

/**
 * 周报: a district's alarm statistics over one calendar week (Monday 00:00 to Monday 00:00 in TW_TIMEZONE), the
 * figures of GET /stats/alarms for the district node and its grids, as an .xlsx under
 * TW_DATA_DIR/reports/<district id>/weekly-<Monday>.xlsx (docs/dashboard.md "Weekly report").
 */
const DAY = 86_400_000;

/** The offset of a time zone from UTC at an instant, ms (Asia/Shanghai: +8 h). */
function offsetMs(at: number, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(at).map((p) => [p.type, p.value]));
  return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!) - Math.floor(at / 1000) * 1000;
}

/** Local midnight of a YYYY-MM-DD day in the time zone, as an instant. */
export function localMidnight(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - offsetMs(guess, timeZone);
  return guess - offsetMs(first, timeZone);
}

/** The Monday (YYYY-MM-DD) that starts the calendar week before the one `now` falls in. */
export function previousWeek(now: number, timeZone: string): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);
  const noon = Date.parse(`${today}T12:00:00Z`);
  const weekday = (new Date(noon).getUTCDay() + 6) % 7; // Monday 0
  return new Date(noon - (weekday + 7) * DAY).toISOString().slice(0, 10);
}

export const reportDir = (dataDir: string, districtId: string) => join(dataDir, 'reports', districtId);
export const weeklyFile = (monday: string) => `weekly-${monday}.xlsx`;

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const minutes = (s: number | null) => (s === null ? '—' : Math.round(s / 60));

async function workbook(district: { id: string; name: string }, monday: string, s: AlarmStats): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.created = new Date();
  const sheet = (name: string, columns: [string, number][], rows: unknown[][]) => {
    const ws = wb.addWorksheet(name);
    ws.columns = columns.map(([header, width]) => ({ header, width }));
    ws.getRow(1).font = { bold: true };
    for (const r of rows) ws.addRow(r);
  };
  const t = s.total;
  sheet('概况', [['项目', 28], ['数值', 24]], [
    ['辖区', `${district.name}（${district.id}）`], ['统计周期', `${monday} 起 7 天`], ['报警总数', t.alarms], ['确认时长中位数（分钟）', minutes(t.medianAckS ?? null)],
    ['困人报警', t.trapped], ['3 分钟响应率', pct(t.responseRate3m ?? null)], ['30 分钟到场率', pct(t.arrivalRate30m ?? null)],
    ['已整改', t.rectified], ['整改闭环率', pct(t.closureRate ?? null)], ['设备总数', s.devices.total], ['在线率', pct(s.devices.onlineRate ?? null)],
    ['维保超期', s.devices.maintenanceOverdue], ['检验即将到期', s.devices.inspectionExpiring], ['检验已过期', s.devices.inspectionExpired],
  ]);
  sheet('网格', [['网格', 20], ['报警', 10], ['困人', 10], ['3分钟响应率', 14], ['30分钟到场率', 14], ['已整改', 10], ['闭环率', 10]],
    s.groups.map((g) => [g.name ?? g.key ?? '—', g.alarms, g.trapped, pct(g.responseRate3m ?? null), pct(g.arrivalRate30m ?? null), g.rectified, pct(g.closureRate ?? null)]));
  sheet('每日', [['日期', 14], ['类型', 22], ['级别', 10], ['报警', 10]], s.series.map((r) => [r.day, r.type, r.severity, r.n]));
  sheet('重复故障', [['设备', 16], ['名称', 16], ['类型', 22], ['次数', 10]], s.worstRepeat.map((r) => [r.subjectId, r.name, r.type, r.n]));
  sheet('短信', [['通道', 14], ['已发送', 10], ['已送达', 10], ['失败', 10]], s.sms.map((r) => [r.provider, r.sent, r.delivered, r.failed]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Writes one district's report for the week starting `monday`; answers the file's path, and the scope and figures it
 * was made of (for the SMS summary). Rewriting a week replaces it whole.
 */
export async function writeWeeklyReport(ctx: ApiContext, district: { id: string; name: string }, monday: string): Promise<{ path: string; scope: Scope; stats: AlarmStats }> {
  const ids = await ctx.scopes.subtree(district.id);
  const scope: Scope = { kind: 'districts', key: `report:${district.id}`, districtIds: ids, districts: new Set(ids) };
  const from = localMidnight(monday, ctx.timezone);
  const to = localMidnight(new Date(Date.parse(`${monday}T12:00:00Z`) + 7 * DAY).toISOString().slice(0, 10), ctx.timezone);
  const stats = await alarmStatistics(ctx, scope, { from, to, groupBy: 'district' });
  const dir = reportDir(ctx.dataDir, district.id);
  await mkdir(dir, { recursive: true });
  const path = join(dir, weeklyFile(monday));
  // a reader never sees half a file: write aside, then rename over
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, await workbook(district, monday, stats));
  await rename(tmp, path);
  return { path, scope, stats };
}
