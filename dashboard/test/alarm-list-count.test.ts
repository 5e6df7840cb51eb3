import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_COUNT_CAP } from '../src/api/alarms/list.js';
import { login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let admin: Login;
let insp2: Login;

// More closed alarms than the list counts: on EL-1 (D1), and a few on EL-3 (D2)
beforeAll(async () => {
  w = await startWorld();
  await w.registry.db.query(
    `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, closed_at)
     SELECT 'device', CASE WHEN i % 1000 = 0 THEN 'EL-3' ELSE 'EL-1' END, CASE WHEN i % 1000 = 0 THEN 'U3' ELSE 'U1' END, 'door_held_open', 'minor', 'closed', 'auto_cleared', 't',
       timestamptz '2026-01-01' + i * interval '1 minute', timestamptz '2026-01-01' + i * interval '1 minute', timestamptz '2026-01-01' + i * interval '1 minute'
     FROM generate_series(1, $1::int) i`,
    [ALARM_COUNT_CAP + 1500],
  );
  [admin, insp2] = (await Promise.all(['admin', 'insp2'].map((u) => login(w.dashboard, u)))) as [Login, Login];
});
afterAll(async () => w?.close());

const list = async (s: Login, q: string) => {
  const res = await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/alarms?limit=20${q}`, headers: s.headers() });
  expect(res.statusCode).toBe(200);
  return res.json() as { items: { id: number; subjectId: string }[]; total: number; totalExact?: boolean; nextCursor: string | null };
};

describe('alarm list count', () => {
  it('counts up to the cap and says so beyond it; pages on with the cursor as before', async () => {
    const first = await list(admin, '');
    expect(first.total).toBe(ALARM_COUNT_CAP);
    expect(first.totalExact).toBe(false);
    expect(first.items).toHaveLength(20);
    const second = await list(admin, `&cursor=${first.nextCursor}`);
    expect(second.items[0]!.id).toBe(first.items[19]!.id - 1);
    // the menu badge and the export are not capped: every active alarm counts
    const counter = await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/alarms/counter', headers: admin.headers() });
    expect(counter.json()).toMatchObject({ active: 0 });
  });

  it('answers the exact total, without the flag, below the cap, in scope and with filters', async () => {
    const d2 = await list(insp2, '');
    expect(d2.total).toBe(Math.floor((ALARM_COUNT_CAP + 1500) / 1000));
    expect(d2.totalExact).toBeUndefined();
    expect(d2.items.every((a) => a.subjectId === 'EL-3')).toBe(true);
    const unit = await list(admin, '&unitId=U3&from=2026-01-02T00:00:00Z');
    const [{ n } = { n: -1 }] = await w.registry.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alarms WHERE subject_id = 'EL-3' AND first_seen_at >= '2026-01-02T00:00:00Z'`,
    );
    expect(unit.total).toBe(n);
    expect(n).toBeGreaterThan(0);
  });
});
