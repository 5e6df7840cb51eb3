import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tianwang/core/testing';
import { startSmsWorld, type SmsWorld } from './helpers/sms-world.js';
import { PASSWORD, login, type Login } from './helpers/world.js';

/**
 * The weekly report's SMS summary to a district's lead inspector (docs/dashboard.md "Weekly report"): the admin names
 * the lead in the users API (an inspector only, one per district node), the report job writes the row and queues it on
 * alerts' SMS queue, the alerts workers send it through the local Aliyun endpoint on the `summary` template; the
 * figures equal an independent SQL count; a district without a lead gets none; a run again sends nothing twice.
 */
let w: SmsWorld;
let admin: Login;
const LEAD_PHONE = '+8613700000021';
const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
// Wednesday 2026-11-18 10:00 in Shanghai: the report covers Monday 2026-11-09 00:00 (+08:00) to the next Monday
const NOW = Date.parse('2026-11-18T02:00:00Z');
const FROM = Date.parse('2026-11-08T16:00:00Z');

beforeAll(async () => {
  w = await startSmsWorld({ TW_DATA_DIR: await tempDir('weekly-sms'), TW_TIMEZONE: TZ });
  admin = await login(w.dashboard, 'admin');
}, 120_000);
afterAll(async () => {
  await w?.close();
});

const patch = (id: string, payload: object) => w.dashboard.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload, headers: admin.headers(true) });
const leads = async () => (await w.registry.db.query<{ id: string }>('SELECT id FROM users WHERE lead ORDER BY id')).map((r) => r.id);
let weeks = 0;

describe('the district’s lead inspector', () => {
  it('is an inspector flag the admin sets; one per district node, naming another moves it', async () => {
    const extra = `insp-lead-${Date.now()}`;
    const created = await w.dashboard.app.inject({
      method: 'POST', url: '/api/v1/users', headers: admin.headers(true),
      payload: { id: extra, username: extra, password: PASSWORD, displayName: '东区牵头人', role: 'inspector', districtId: 'D1', lead: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: extra, lead: true });
    expect((await leads()).filter((id) => id === 'insp1' || id === extra)).toEqual([extra]);
    const moved = await patch('insp1', { lead: true, phone: LEAD_PHONE });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ lead: true, phone: LEAD_PHONE });
    expect(await leads()).toContain('insp1');
    expect(await leads()).not.toContain(extra);
    // the move is audited on the user who lost the flag
    const [audit] = await w.registry.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_type = 'user' AND subject_id = $1 AND action = 'user.updated'`, [extra]);
    expect(audit!.n).toBe(1);
    const refused = await patch('unit1', { lead: true });
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'TW_PAYLOAD_INVALID']);
  });
});

describe('the weekly SMS summary', () => {
  it('goes to the lead inspector through the alerts SMS queue, once, with the week’s figures and the report’s link', async () => {
    expect((await patch('insp1', { lead: true, phone: LEAD_PHONE })).statusCode).toBe(200);
    // a week of its own per attempt (a retried test must not meet the summary its first attempt sent)
    const k = ++weeks;
    const now = NOW - k * 7 * DAY;
    const from = FROM - k * 7 * DAY;
    const monday = new Date(from + DAY).toISOString().slice(0, 10);
    // D1: two trapped passengers (one answered within 3 minutes), an open overspeed; D2 (no lead): one alarm
    const alarm = (subject: string, type: string, at: number, ackS: number | null, status = 'closed') =>
      w.registry.db.query(
        `INSERT INTO alarms (subject_type, subject_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, acknowledged_at, closed_at)
         VALUES ('device', $1, $2, 'critical', $3, CASE WHEN $3 = 'closed' THEN 'resolved' END, 't', $4, $4, $5, CASE WHEN $3 = 'closed' THEN $4::timestamptz + interval '1 hour' END)`,
        [subject, type, status, new Date(at), ackS === null ? null : new Date(at + ackS * 1000)],
      );
    await alarm('EL-1', 'fault:11', from + 3_600_000, 100);
    await alarm('EL-2', 'fault:11', from + 2 * DAY, 400);
    await alarm('EL-1', `overspeed:${k}`, from + 3 * DAY, null, 'open');
    await alarm('EL-3', 'fault:11', from + DAY, 60);

    const files = await w.dashboard.reports().runNow(now);
    expect(files.some((f) => f.endsWith(`/reports/D1/weekly-${monday}.xlsx`))).toBe(true);
    const mine = (r: { to: string; params?: Record<string, string> }) => r.to.endsWith('13700000021') && r.params?.link?.includes(monday) === true;
    const [sms] = await w.aliyun.waitFor(1, 15_000, mine);
    // the independent count: D1's alarms first seen in the week, and every hazard of D1 still open now
    const [want] = await w.registry.db.query<{ n: number; trapped: number; fast: number; open: number }>(
      `SELECT count(*) FILTER (WHERE a.first_seen_at >= $1 AND a.first_seen_at < $2)::int AS n,
         count(*) FILTER (WHERE a.first_seen_at >= $1 AND a.first_seen_at < $2 AND a.type = 'fault:11')::int AS trapped,
         count(*) FILTER (WHERE a.first_seen_at >= $1 AND a.first_seen_at < $2 AND a.type = 'fault:11' AND a.acknowledged_at - a.first_seen_at <= interval '3 minutes')::int AS fast,
         count(*) FILTER (WHERE a.status <> 'closed' AND a.outcome IS DISTINCT FROM 'false_alarm')::int AS open
       FROM alarms a JOIN devices d ON d.id = a.subject_id JOIN units u ON u.id = d.unit_id WHERE u.district_id IN ('D1', 'G1', 'G2')`,
      [new Date(from), new Date(from + 7 * DAY)],
    );
    expect(want).toMatchObject({ n: 3, trapped: 2, fast: 1 });
    const md = (t: number) => `${new Date(t + 8 * 3_600_000).getUTCMonth() + 1}月${new Date(t + 8 * 3_600_000).getUTCDate()}日`;
    expect(sms).toMatchObject({ templateCode: 'SMS_SUMMARY', signName: '天网提醒' });
    expect(sms!.params).toEqual({
      district: '东区', period: `${md(from + 3_600_000)}至${md(from + 6 * DAY + 3_600_000)}`,
      figures: `报警${want!.n}起；困人${want!.trapped}起，3分钟响应率50.0%；未销号隐患${want!.open}项`,
      link: `http://tw.test/reports/D1/${monday}`,
    });
    // the link is the report's page in the web app (reports.browser.test.ts opens it); the file it fetches is there
    const insp1 = await login(w.dashboard, 'insp1');
    const file = await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/reports/D1/weekly-${monday}.xlsx`, headers: insp1.headers() });
    expect(file.statusCode).toBe(200);
    // the row the dashboard wrote is the one the alerts workers sent; D2 has no lead, so no summary
    const rows = await w.registry.db.query<{ stage: string; status: string }>(`SELECT stage, status FROM notifications WHERE stage LIKE $1 ORDER BY stage`, [`weekly-summary-%-${monday}`]);
    expect(rows.map((r) => r.stage)).toEqual([`weekly-summary-D1-${monday}`]);
    await expect.poll(async () => (await w.registry.db.query<{ status: string }>(`SELECT status FROM notifications WHERE stage = $1`, [`weekly-summary-D1-${monday}`]))[0]?.status, { timeout: 10_000 }).toMatch(/^(sent|delivered)$/);
    // the week run again (a retried job): the report is rewritten, no second summary is written or sent
    await w.dashboard.reports().runNow(now);
    const again = await w.registry.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE stage = $1`, [`weekly-summary-D1-${monday}`]);
    expect(again[0]!.n).toBe(1);
    expect(w.aliyun.received.filter(mine)).toHaveLength(1);
  });
});
