import type { Scope } from '../auth/scope.js';
import { SqlParams } from '../auth/sql-scope.js';
import type { AlarmStats } from '../api/alarms/stats.js';
import type { ApiContext } from '../api/context.js';
import { hazardFrom } from '../api/hazards/query.js';

/**
 * The weekly report's SMS summary to the district's lead inspector (docs/dashboard.md "Weekly report"): one short
 * message with the week's alarms, trapped passengers and their 3-minute response rate, the hazards still open and
 * the report's link. It goes the way every dashboard SMS goes (the queue contract of `@tianwang/alerts/actions`):
 * the notification row is written here, its send job queued on alerts' SMS queue, and the alerts workers send it on
 * the registered `summary` template; a job lost on the way is sent by their interrupted-sends scan.
 * No lead, a lead without a phone, or a disabled lead: no SMS. A report run again sends nothing twice (one row per
 * district, week and phone).
 */
export interface SummarySent {
  notificationId: number;
  to: string;
}

const pct = (v: number | null | undefined, none: string) => (v === null || v === undefined ? none : `${(v * 100).toFixed(1)}%`);

export async function sendWeeklySummary(ctx: ApiContext, district: { id: string; name: string }, monday: string, scope: Scope, stats: AlarmStats): Promise<SummarySent | undefined> {
  const [lead] = await ctx.registry.db.query<{ id: string; display_name: string; phone: string }>(
    `SELECT id, display_name, phone FROM users WHERE lead AND enabled AND role = 'inspector' AND district_id = $1 AND phone IS NOT NULL`,
    [district.id],
  );
  if (!lead) return undefined;
  const p = new SqlParams();
  const [open] = await ctx.registry.db.query<{ n: number }>(`SELECT count(*)::int AS n ${hazardFrom(scope, p)} WHERE h.state <> 'closed'`, p.values);
  const t = stats.total;
  const sunday = new Date(Date.parse(`${monday}T12:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
  const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
  const hazards = open?.n ?? 0;
  // the web app's page of the report, not the file's API URL: the session cookie is SameSite=Strict, so a tap in
  // the SMS app reaches the server without it; the page signs the inspector in and then fetches the file itself
  const link = new URL(`/reports/${encodeURIComponent(district.id)}/${monday}`, ctx.rectify.publicUrl).href;
  const id = await ctx.registry.db.transaction((tx) =>
    ctx.actions.notices.summary(tx, {
      stage: `weekly-summary-${district.id}-${monday}`, recipientName: `牵头监管人员 ${lead.display_name}`, recipientPhone: lead.phone,
      district: district.name, period: { 'zh-CN': `${md(monday)}至${md(sunday)}`, en: `${monday} to ${sunday}` },
      figures: {
        'zh-CN': `报警${t.alarms}起；困人${t.trapped}起，3分钟响应率${pct(t.responseRate3m, '无')}；未销号隐患${hazards}项`,
        en: `${t.alarms} alarms; ${t.trapped} trapped passengers, 3-min response ${pct(t.responseRate3m, 'n/a')}; ${hazards} open hazards`,
      },
      link,
    }),
  );
  if (id === undefined) return undefined;
  // after the commit; a failed queueing loses nothing (the row stays queued for the alerts workers' scan)
  await ctx.actions.notices.queue(id, lead.phone).catch((err: unknown) => ctx.log.warn({ err, district: district.id }, 'weekly summary SMS not queued; the alerts workers will send it'));
  return { notificationId: id, to: lead.phone };
}
