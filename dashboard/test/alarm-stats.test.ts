import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let admin: Login;
let insp1: Login;
const T0 = Date.parse('2026-10-01T00:00:00Z');
const FROM = '2026-10-01T00:00:00Z';
const TO = '2026-11-01T00:00:00Z';

/** Deterministic pseudo-random numbers (the figures must not depend on the run). */
function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

beforeAll(async () => {
  w = await startWorld({ env: { TW_TIMEZONE: 'Asia/Shanghai' } });
  const rnd = lcg(7);
  const subjects = [['EL-1', 'U1'], ['EL-2', 'U2'], ['EL-3', 'U3'], ['BL-1', 'U1']] as const;
  const types = ['fault:11', 'fault:11', 'overspeed', 'door_open'];
  const sevs = ['critical', 'major', 'minor', 'warning'];
  // 120 alarms, a third outside the period; every one closed (the one-active-per-type index allows history only)
  for (let i = 0; i < 120; i++) {
    const [subject, unit] = subjects[Math.floor(rnd() * 4)]!;
    const first = T0 - 10 * 86_400_000 + Math.floor(rnd() * 45 * 86_400_000);
    const ack = rnd() < 0.85 ? first + Math.floor(rnd() * 600_000) : null;
    const arrived = ack && rnd() < 0.7 ? first + Math.floor(rnd() * 3_600_000) : null;
    const rect = ack && rnd() < 0.6 ? ack + Math.floor(rnd() * 86_400_000) : null;
    const outcome = rect ? (rnd() < 0.8 ? 'resolved' : 'false_alarm') : ack ? 'false_alarm' : 'auto_cleared';
    const t = (ms: number | null) => (ms === null ? null : new Date(ms));
    await w.registry.db.query(
      `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, acknowledged_at, arrived_at, rectified_at, closed_at)
       VALUES ('device', $1, $2, $3, $4, 'closed', $5, 't', $6, $6, $7, $8, $9, $10)`,
      [subject, unit, types[Math.floor(rnd() * 4)], sevs[Math.floor(rnd() * 4)], outcome, t(first), t(ack), t(arrived), t(rect), t((rect ?? ack ?? first) + 1000)],
    );
  }
  const [{ id } = { id: 0 }] = await w.registry.db.query<{ id: number }>(`SELECT min(id)::int AS id FROM alarms WHERE first_seen_at >= $1`, [new Date(T0)]);
  await w.registry.db.query(
    `INSERT INTO notifications (alarm_id, stage, recipient_phone, template, status, provider) VALUES ($1, 'officer', '+8613800000001', 'alarm', 'delivered', 'aliyun'), ($1, 'principal', '+8613800000002', 'alarm', 'failed', 'aliyun'), ($1, 'maintenance', '+864001234567', 'alarm', 'sent', 'twilio')`,
    [id],
  );
  [admin, insp1] = (await Promise.all(['admin', 'insp1'].map((u) => login(w.dashboard, u)))) as [Login, Login];
});
afterAll(async () => w?.close());

interface Raw { id: number; subject_id: string; district_id: string; type: string; severity: string; first: number; ack: number | null; arrived: number | null; rect: number | null; status: string; outcome: string | null }

/** The independent computation: every alarm row of the period read plainly, the figures computed here. */
async function raw(districts: string[] | null): Promise<Raw[]> {
  const rows = await w.registry.db.query<Record<string, unknown>>(
    `SELECT a.id::int AS id, a.subject_id, u.district_id, a.type, a.severity, a.first_seen_at, a.acknowledged_at, a.arrived_at, a.rectified_at, a.status, a.outcome
       FROM alarms a, devices d, units u WHERE d.id = a.subject_id AND u.id = d.unit_id AND a.first_seen_at >= $1 AND a.first_seen_at < $2`,
    [new Date(FROM), new Date(TO)],
  );
  const ms = (v: unknown) => (v === null ? null : new Date(v as string).getTime());
  return rows
    .map((r) => ({ id: r.id as number, subject_id: r.subject_id as string, district_id: r.district_id as string, type: r.type as string, severity: r.severity as string, first: ms(r.first_seen_at)!, ack: ms(r.acknowledged_at), arrived: ms(r.arrived_at), rect: ms(r.rectified_at), status: r.status as string, outcome: r.outcome as string | null }))
    .filter((r) => !districts || districts.includes(r.district_id));
}
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
function figures(rows: Raw[]) {
  const trapped = rows.filter((r) => r.type === 'fault:11');
  const rect = rows.filter((r) => r.rect !== null);
  return {
    alarms: rows.length,
    medianAckS: median(rows.filter((r) => r.ack !== null).map((r) => (r.ack! - r.first) / 1000)),
    trapped: trapped.length,
    trappedResponded3m: trapped.filter((r) => r.ack !== null && r.ack - r.first <= 180_000).length,
    trappedArrived30m: trapped.filter((r) => r.arrived !== null && r.arrived - r.first <= 1_800_000).length,
    rectified: rect.length,
    rectifiedClosed: rect.filter((r) => r.status === 'closed' && r.outcome === 'resolved').length,
    medianRectifyS: median(rect.map((r) => (r.rect! - r.first) / 1000)),
  };
}

describe('alarm statistics', () => {
  it('equal an independent computation over the seeded alarms, per district and in total', async () => {
    const res = await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/stats/alarms?from=${FROM}&to=${TO}&groupBy=district`, headers: admin.headers() });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    const all = await raw(null);
    expect(all.length).toBeGreaterThan(50);
    const close = (o: Record<string, number | null>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? null : expect.closeTo(v, 6)]));
    expect(s.total).toMatchObject(close(figures(all)));
    for (const g of s.groups) expect(g).toMatchObject(close(figures(all.filter((r) => r.district_id === g.key))));
    expect(s.groups.map((g: { key: string }) => g.key).sort()).toEqual([...new Set(all.map((r) => r.district_id))].sort());
    expect(s.total.responseRate3m).toBeCloseTo(s.total.trappedResponded3m / s.total.trapped, 9);
    // per day in Asia/Shanghai, type and severity
    const perDay = new Map<string, number>();
    for (const r of all) {
      const day = new Date(r.first + 8 * 3_600_000).toISOString().slice(0, 10);
      const k = `${day}|${r.type}|${r.severity}`;
      perDay.set(k, (perDay.get(k) ?? 0) + 1);
    }
    expect(new Map(s.series.map((x: { day: string; type: string; severity: string; n: number }) => [`${x.day}|${x.type}|${x.severity}`, x.n]))).toEqual(perDay);
    // worst repeat faults: the 10 largest (device, type) counts
    const pairs = new Map<string, number>();
    for (const r of all) pairs.set(`${r.subject_id}|${r.type}`, (pairs.get(`${r.subject_id}|${r.type}`) ?? 0) + 1);
    const top = [...pairs.values()].filter((n) => n > 1).sort((a, b) => b - a).slice(0, 10);
    expect(s.worstRepeat.map((x: { n: number }) => x.n)).toEqual(top);
    expect(s.sms).toEqual([{ provider: 'aliyun', sent: 1, delivered: 1, failed: 1 }, { provider: 'twilio', sent: 1, delivered: 0, failed: 0 }]);
    expect(s.devices).toMatchObject({ total: 4, online: 0, onlineRate: 0 });
  });

  it('counts only the caller’s scope, per unit and per maintenance company', async () => {
    const s = (await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/stats/alarms?from=${FROM}&to=${TO}&groupBy=unit`, headers: insp1.headers() })).json();
    const d1 = await raw(['G1', 'G2']);
    expect(s.total.alarms).toBe(d1.length);
    expect(s.groups.map((g: { key: string }) => g.key).sort()).toEqual([...new Set(d1.map((r) => (r.subject_id === 'EL-2' ? 'U2' : 'U1')))].sort());
    const c = (await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/stats/alarms?from=${FROM}&to=${TO}&groupBy=company`, headers: admin.headers() })).json();
    const m1 = (await raw(null)).filter((r) => r.subject_id === 'EL-1' || r.subject_id === 'EL-3');
    expect(c.groups.find((g: { key: string }) => g.key === 'M1')).toMatchObject({ name: '快修电梯', alarms: m1.length });
    expect((await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/stats/alarms?from=${TO}&to=${FROM}`, headers: admin.headers() })).statusCode).toBe(400);
  });
});
