/**
 * The alarm-centre benchmark's history: N alarms (1,000,000 by default) with their SMS notifications over the past
 * year, generated inside PostgreSQL (INSERT … SELECT over generate_series: a million round trips would be the
 * benchmark of the socket, not of the queries).
 *
 * Spread, so that the planner sees what a real registry holds:
 * - three districts: the bench inspector's BENCH (seed.ts: 5 grids, 50 units, its elevators) and two neighbours,
 *   BN and BS (5 grids, 50 units, 4,500 elevators and 500 boilers each), so the scope keeps about a third of the rows;
 *   BENCH gets 500 boilers too; 8 maintenance companies share the elevators;
 * - the device of each alarm is skewed (a few devices raise many, as worn elevators do: the "repeat faults" list);
 * - types by kind with realistic weights (trapped passengers 8 % of elevator alarms, offline, door held open,
 *   calendar reminders, boiler thresholds), each with its rule's severity;
 * - first seen uniformly over 365 days; older alarms closed (resolved with a verified rectification, auto-cleared or
 *   false alarm), the newest per device and type still open, acknowledged or rectified (one active alarm per subject
 *   and type, as the alerts service keeps it);
 * - acknowledgement delays exponential (trapped: mean 90 s; others 30 min), arrival on site for trapped passengers;
 * - notifications: the officer always, the principal when nobody acknowledged within 10 minutes, the inspector after
 *   30; 90 % Aliyun, 10 % Twilio; sent, delivered or failed.
 */
import { makeCreditCode } from '@tianwang/core/demo';
import type { Registry } from '@tianwang/core/registry';

const NEIGHBOURS = [{ id: 'BN', name: '压测北区', code: '3120' }, { id: 'BS', name: '压测南区', code: '3130' }];
const COMPANIES = 8;

// [kind, type, severity, weight, title]: weights per kind add up to 100
const TYPES: [string, string, string, number, string][] = [
  ['elevator', 'fault:11', 'critical', 8, '困人'], ['elevator', 'fault:02', 'major', 6, '关门故障'], ['elevator', 'fault:03', 'major', 5, '开门故障'],
  ['elevator', 'fault:04', 'major', 4, '门区外停梯'], ['elevator', 'fault:05', 'critical', 2, '开门走车'], ['elevator', 'fault:01', 'critical', 2, '安全回路断路'],
  ['elevator', 'overspeed', 'critical', 3, '超速'], ['elevator', 'door_held_open', 'minor', 20, '长时间开门'], ['elevator', 'silence', 'major', 25, '终端离线'],
  ['elevator', 'maintenance_overdue', 'minor', 13, '维保超期（超过15日未维保）'], ['elevator', 'inspection_expiring', 'warning', 8, '定期检验即将到期'],
  ['elevator', 'inspection_expired', 'major', 4, '定期检验已过期'],
  ['boiler', 'low_water', 'critical', 10, '低水位（缺水）'], ['boiler', 'overpressure', 'critical', 8, '超压'], ['boiler', 'high_water', 'major', 8, '高水位（满水）'],
  ['boiler', 'overtemperature', 'major', 10, '超温'], ['boiler', 'flame_failure', 'critical', 12, '熄火'], ['boiler', 'high_flue_temp', 'minor', 20, '排烟温度过高'],
  ['boiler', 'no_operator', 'major', 12, '无持证司炉人员在岗'], ['boiler', 'silence', 'major', 20, '终端离线'],
];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The neighbouring districts, companies and devices (registry rows, a few hundred statements at most). */
async function seedFleet(r: Registry, perDistrict: number): Promise<void> {
  for (let m = 0; m < COMPANIES; m++) {
    await r.db.query(`INSERT INTO maintenance_companies (id, name, emergency_phone) VALUES ($1, $2, '+8613900000000') ON CONFLICT (id) DO NOTHING`, [`M${m}`, `压测维保公司${m}`]);
  }
  for (const [d, n] of NEIGHBOURS.entries()) {
    await r.districts.upsert({ id: n.id, name: n.name, kind: 'district', parentId: null });
    for (let g = 0; g < 5; g++) await r.districts.upsert({ id: `${n.id}-G${g}`, name: `${n.name}第${g + 1}网格`, kind: 'grid', parentId: n.id });
    for (let u = 0; u < 50; u++) {
      await r.units.upsert({
        id: `${n.id}U${u}`, creditCode: makeCreditCode('310115', `MA1C${d}${String(u).padStart(4, '0')}`), name: `${n.name}单位${u}`, address: `${n.name}路${u}号`,
        districtId: `${n.id}-G${u % 5}`, safetyOfficerName: '安全员', safetyOfficerPhone: '+8613800000001', principalName: '负责人', principalPhone: '+8613800000002',
      });
    }
    const elevators = Math.round(perDistrict * 0.9);
    await r.db.query(
      `INSERT INTO devices (id, kind, registration_code, name, unit_id, rated, last_maintenance_on, inspection_valid_until)
       SELECT $1 || '-' || lpad(i::text, 6, '0'), CASE WHEN i < $3 THEN 'elevator' ELSE 'boiler' END,
         CASE WHEN i < $3 THEN $2 || lpad(i::text, 16, '0') ELSE $1 || '-锅' || i END, i || CASE WHEN i < $3 THEN '号梯' ELSE '号锅炉' END,
         $1 || 'U' || (i % 50), '{}', current_date - (i % 20), current_date + (i % 400)
       FROM generate_series(0, $4 - 1) i ON CONFLICT (id) DO NOTHING`,
      [n.id, n.code, elevators, perDistrict],
    );
  }
  await r.db.query(
    `INSERT INTO devices (id, kind, registration_code, name, unit_id, last_maintenance_on, inspection_valid_until)
     SELECT 'EBB-' || lpad(i::text, 6, '0'), 'boiler', 'BENCH-锅' || i, i || '号锅炉', 'U' || (i % 50), current_date - (i % 20), current_date + (i % 400)
     FROM generate_series(0, 499) i ON CONFLICT (id) DO NOTHING`,
  );
  await r.db.query(`UPDATE devices SET maintenance_company_id = 'M' || (abs(hashtext(id)) % ${COMPANIES}) WHERE kind = 'elevator' AND maintenance_company_id IS NULL`);
}

/** Seeds the fleet, `alarms` alarms and their notifications; answers the counts and the seconds it took. */
export async function seedAlarms(r: Registry, alarms: number): Promise<{ alarms: number; notifications: number; seconds: number }> {
  const t0 = performance.now();
  await seedFleet(r, 5000);
  const types = TYPES.map(([kind, type, severity, , title], i) => {
    const before = TYPES.slice(0, i).filter((t) => t[0] === kind).reduce((s, t) => s + t[3], 0);
    return `(${q(kind)}, ${q(type)}, ${q(severity)}, ${before / 100}, ${(before + TYPES[i]![3]) / 100}, ${q(title)})`;
  });
  await r.db.exec(`
    SELECT setseed(0.16);
    DROP TABLE IF EXISTS bench_fleet, bench_types;
    CREATE TABLE bench_types (kind text, type text, severity text, lo float8, hi float8, title text);
    INSERT INTO bench_types VALUES ${types.join(', ')};
    -- devices in a hashed order, so that the skewed pick below spreads the busy devices over every district
    CREATE TABLE bench_fleet AS SELECT (row_number() OVER (ORDER BY md5(d.id)) - 1)::int AS n, d.id, d.kind, d.unit_id FROM devices d;
    CREATE UNIQUE INDEX ON bench_fleet (n);`);
  const [{ fleet } = { fleet: 0 }] = await r.db.query<{ fleet: number }>('SELECT count(*)::int AS fleet FROM bench_fleet');
  // one row per alarm: its time (ordered by id, as a live registry's are), its device (skewed), four dice
  await r.db.exec(`
    INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, outcome, title, count, first_seen_at, last_seen_at,
      condition_cleared_at, acknowledged_at, acknowledged_by, acknowledged_via, arrived_at, arrived_by,
      rectified_at, rectified_by, rectification_note, verified_at, verified_by, closed_at, closed_by, closed_via, created_at)
    SELECT 'device', f.id, f.unit_id, t.type, t.severity, 'closed', o.outcome, t.title, 1 + floor(-ln(1 - g.r3) * 2)::int, g.at, g.at + interval '1 minute',
      g.at + interval '20 minutes', ack.at, CASE WHEN ack.at IS NOT NULL THEN CASE WHEN g.r4 < 0.7 THEN '安全员' ELSE 'bench-inspector' END END,
      CASE WHEN ack.at IS NOT NULL THEN CASE WHEN g.r4 < 0.7 THEN 'sms_link' ELSE 'dashboard' END END,
      arr.at, CASE WHEN arr.at IS NOT NULL THEN '维保人员' END,
      fix.at, CASE WHEN fix.at IS NOT NULL THEN '安全员' END, CASE WHEN fix.at IS NOT NULL THEN '已处理' END,
      fix.at + interval '1 day' * g.r4, CASE WHEN fix.at IS NOT NULL THEN 'bench-inspector' END,
      COALESCE(fix.at + interval '1 day' * g.r4, ack.at + interval '10 minutes', g.at + interval '20 minutes'),
      CASE o.outcome WHEN 'auto_cleared' THEN 'rule' ELSE 'bench-inspector' END, CASE o.outcome WHEN 'auto_cleared' THEN 'automatic' ELSE 'dashboard' END, g.at
    FROM (SELECT i, now() - interval '365 days' + interval '365 days' * (i::float8 / ${alarms}) - interval '1 minute' * random() AS at,
            floor(power(random(), 3) * ${fleet})::int AS n, random() AS r1, random() AS r2, random() AS r3, random() AS r4
          FROM generate_series(1, ${alarms}) i) g
    JOIN bench_fleet f ON f.n = g.n
    JOIN bench_types t ON t.kind = f.kind AND g.r1 >= t.lo AND g.r1 < t.hi
    CROSS JOIN LATERAL (SELECT CASE WHEN g.r2 < 0.25 THEN 'auto_cleared' WHEN g.r2 < 0.32 THEN 'false_alarm' ELSE 'resolved' END AS outcome) o
    CROSS JOIN LATERAL (SELECT CASE WHEN o.outcome <> 'auto_cleared' THEN g.at + interval '1 second' * (-ln(1 - g.r3) * CASE WHEN t.type = 'fault:11' THEN 90 ELSE 1800 END) END AS at) ack
    CROSS JOIN LATERAL (SELECT CASE WHEN t.type = 'fault:11' AND ack.at IS NOT NULL THEN ack.at + interval '1 second' * (-ln(1 - g.r4) * 700) END AS at) arr
    CROSS JOIN LATERAL (SELECT CASE WHEN o.outcome = 'resolved' THEN COALESCE(arr.at, ack.at) + interval '1 hour' * (1 + 72 * g.r2) END AS at) fix
    ORDER BY g.i;`);
  // the newest alarm of a device and type in the last 10 days is still active in 60 % of the cases
  await r.db.exec(`
    UPDATE alarms a SET status = x.status, outcome = NULL, closed_at = NULL, closed_by = NULL, closed_via = NULL, verified_at = NULL, verified_by = NULL,
      condition_cleared_at = NULL,
      acknowledged_at = CASE WHEN x.status = 'open' THEN NULL ELSE COALESCE(a.acknowledged_at, a.first_seen_at + interval '5 minutes') END,
      acknowledged_by = CASE WHEN x.status = 'open' THEN NULL ELSE COALESCE(a.acknowledged_by, '安全员') END,
      acknowledged_via = CASE WHEN x.status = 'open' THEN NULL ELSE COALESCE(a.acknowledged_via, 'sms_link') END,
      rectified_at = CASE WHEN x.status = 'rectified' THEN COALESCE(a.rectified_at, a.first_seen_at + interval '2 hours') END,
      rectified_by = CASE WHEN x.status = 'rectified' THEN '安全员' END, rectification_note = CASE WHEN x.status = 'rectified' THEN '已处理' END
    FROM (SELECT id, CASE WHEN r < 0.25 THEN 'open' WHEN r < 0.45 THEN 'acknowledged' ELSE 'rectified' END AS status
          FROM (SELECT DISTINCT ON (subject_id, type) id, random() AS r FROM alarms WHERE first_seen_at > now() - interval '10 days' ORDER BY subject_id, type, first_seen_at DESC) l
          WHERE r < 0.6) x
    WHERE a.id = x.id;`);
  await r.db.exec(`
    INSERT INTO notifications (alarm_id, stage, recipient_name, recipient_phone, provider, template, status, provider_message_id, attempts, created_at, sent_at, delivered_at, error)
    SELECT a.id, s.stage, s.name, s.phone, p.provider, 'SMS_ALARM', p.status, CASE WHEN p.status <> 'failed' THEN 'bench-' || a.id || '-' || s.stage END, 1,
      a.first_seen_at + s.after, a.first_seen_at + s.after + interval '2 seconds', CASE WHEN p.status = 'delivered' THEN a.first_seen_at + s.after + interval '9 seconds' END,
      CASE WHEN p.status = 'failed' THEN 'isv.MOBILE_NUMBER_ILLEGAL' END
    FROM alarms a
    CROSS JOIN (VALUES ('officer', '安全员', '+8613800000001', interval '0'), ('principal', '负责人', '+8613800000002', interval '10 minutes'),
                       ('inspector', '压测监管员', '+8613800000003', interval '30 minutes')) s(stage, name, phone, after)
    CROSS JOIN LATERAL (SELECT CASE WHEN (a.id % 10) = 0 THEN 'twilio' ELSE 'aliyun' END AS provider,
                          CASE WHEN (a.id * 7 + length(s.stage)) % 50 = 0 THEN 'failed' WHEN (a.id + length(s.stage)) % 10 = 0 THEN 'sent' ELSE 'delivered' END AS status) p
    WHERE s.after = interval '0' OR COALESCE(a.acknowledged_at, a.closed_at, now()) > a.first_seen_at + s.after;
    DROP TABLE bench_fleet, bench_types;
    ANALYZE;`);
  const [counts] = await r.db.query<{ alarms: number; notifications: number }>('SELECT (SELECT count(*) FROM alarms)::int AS alarms, (SELECT count(*) FROM notifications)::int AS notifications');
  return { alarms: counts?.alarms ?? 0, notifications: counts?.notifications ?? 0, seconds: Math.round((performance.now() - t0) / 1000) };
}
