import { z } from 'zod';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import type { Scope } from '../../auth/scope.js';
import { ALARM_FROM } from '../alarms/query.js';

/**
 * 隐患台账: one ledger of hazards across elevators, boilers and kitchens (docs/dashboard.md "Hazard ledger"):
 *   - every alarm except false alarms (a device or camera alarm; its state, who fixed it);
 *   - every failed online spot-check (线上抽检不合格: a kitchen finding with its rectification notice).
 * A hazard is named `<kind>:<id>` (alarm:123, finding:45). Its deadline (整改期限) is the time by which it must be
 * rectified: an alarm's by severity from first seen (critical 24 h, major 3 days, minor 7 days, warning 15 days);
 * a finding's 7 days from the record (the notice's usual term). Overdue: not closed and past the deadline.
 */
export const HAZARD_KINDS = ['alarm', 'finding'] as const;
export const HAZARD_STATES = ['open', 'rectifying', 'rectified', 'closed'] as const;
export const DEADLINE_DAYS: Record<string, number> = { critical: 1, major: 3, minor: 7, warning: 15 };
export const FINDING_DEADLINE_DAYS = 7;

export const HazardRow = z.object({
  ref: z.string().meta({ description: 'alarm:<id> or finding:<spot-check id>' }), kind: z.enum(HAZARD_KINDS), id: z.number().int(),
  category: z.enum(['elevator', 'boiler', 'kitchen']), subjectId: z.string(), subjectName: z.string().nullable(),
  unitId: z.string().nullable(), unitName: z.string().nullable(), districtId: z.string().nullable(), districtName: z.string().nullable(),
  title: z.string(), severity: z.string(),
  state: z.enum(HAZARD_STATES).meta({ description: 'open (nobody acted), rectifying (acknowledged / notice issued), rectified (fix reported, awaiting verification), closed' }),
  detectedAt: z.string(), deadline: z.string(), overdue: z.boolean(), closedAt: z.string().nullable(),
});
export type HazardRowT = z.input<typeof HazardRow>;

const deadlineSql = `a.first_seen_at + CASE a.severity ${Object.entries(DEADLINE_DAYS).map(([s, d]) => `WHEN '${s}' THEN interval '${d} days'`).join(' ')} END`;

/** The ledger's rows in scope as one relation `h` (each branch is filtered by the scope on its own table). */
export function hazardFrom(scope: Scope, p: SqlParams): string {
  const alarms = `SELECT 'alarm' AS kind, a.id, 'alarm:' || a.id AS ref,
      CASE WHEN a.subject_type = 'camera' THEN 'kitchen' ELSE d.kind END AS category, a.subject_id, COALESCE(d.name, c.name) AS subject_name,
      u.id AS unit_id, u.name AS unit_name, dt.id AS district_id, dt.name AS district_name, a.title, a.severity,
      CASE a.status WHEN 'open' THEN 'open' WHEN 'acknowledged' THEN 'rectifying' WHEN 'rectified' THEN 'rectified' ELSE 'closed' END AS state,
      a.first_seen_at AS detected_at, ${deadlineSql} AS deadline, a.closed_at
    ${ALARM_FROM}
    WHERE ${scopeSql.alarms(scope, p, 'a')} AND (a.outcome IS DISTINCT FROM 'false_alarm')`;
  const findings = `SELECT 'finding' AS kind, s.id, 'finding:' || s.id AS ref, 'kitchen' AS category, s.kitchen_id AS subject_id, k.name AS subject_name,
      ku.id AS unit_id, ku.name AS unit_name, kd.id AS district_id, kd.name AS district_name,
      '线上抽检不合格：' || COALESCE((SELECT string_agg(i->>'label', '、') FROM jsonb_array_elements(s.items) i WHERE (i->>'pass')::boolean IS FALSE), '') AS title,
      'major' AS severity, CASE s.status WHEN 'closed' THEN 'closed' ELSE 'rectifying' END AS state,
      s.recorded_at AS detected_at, s.recorded_at + interval '${FINDING_DEADLINE_DAYS} days' AS deadline, NULL::timestamptz AS closed_at
    FROM spot_checks s JOIN kitchens k ON k.id = s.kitchen_id LEFT JOIN units ku ON ku.id = k.unit_id LEFT JOIN districts kd ON kd.id = k.district_id
    WHERE s.result = 'fail' AND ${scopeSql.kitchens(scope, p, 'k')}`;
  return `FROM (${alarms} UNION ALL ${findings}) h`;
}

export const HAZARD_SELECT = 'h.kind, h.id, h.ref, h.category, h.subject_id, h.subject_name, h.unit_id, h.unit_name, h.district_id, h.district_name, h.title, h.severity, h.state, h.detected_at, h.deadline, h.closed_at';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function toHazardRow(r: Record<string, unknown>, now = Date.now()): HazardRowT {
  const deadline = iso(r.deadline)!;
  return {
    ref: r.ref as string, kind: r.kind as HazardRowT['kind'], id: Number(r.id), category: r.category as HazardRowT['category'],
    subjectId: r.subject_id as string, subjectName: str(r.subject_name), unitId: str(r.unit_id), unitName: str(r.unit_name),
    districtId: str(r.district_id), districtName: str(r.district_name), title: r.title as string, severity: r.severity as string,
    state: r.state as HazardRowT['state'], detectedAt: iso(r.detected_at)!, deadline, overdue: r.state !== 'closed' && Date.parse(deadline) < now, closedAt: iso(r.closed_at),
  };
}

/** The filters of the ledger as conditions on `h`. */
export function hazardWhere(f: { kind?: string | undefined; category?: string | undefined; state?: string | undefined; overdue?: boolean | undefined; districtIds?: string[] | undefined; from?: Date | undefined; to?: Date | undefined }, p: SqlParams): string[] {
  const where: string[] = [];
  if (f.kind) where.push(`h.kind = ${p.add(f.kind)}`);
  if (f.category) where.push(`h.category = ${p.add(f.category)}`);
  if (f.state) where.push(`h.state = ${p.add(f.state)}`);
  if (f.overdue !== undefined) where.push(f.overdue ? `(h.state <> 'closed' AND h.deadline < now())` : `NOT (h.state <> 'closed' AND h.deadline < now())`);
  if (f.districtIds) where.push(`h.district_id = ANY(${p.add(f.districtIds)}::text[])`);
  if (f.from) where.push(`h.detected_at >= ${p.add(f.from)}`);
  if (f.to) where.push(`h.detected_at < ${p.add(f.to)}`);
  return where;
}
