import { NotFoundError } from '../../errors/index.js';
import { one, type Queryable } from '../db.js';
import { camelRow, camelRows } from '../rows.js';

export type Severity = 'critical' | 'major' | 'minor' | 'warning';
export type AlarmStatus = 'open' | 'acknowledged' | 'rectified' | 'closed';
export type AlarmOutcome = 'resolved' | 'auto_cleared' | 'false_alarm';
export type AlarmSubjectType = 'device' | 'camera';

export interface Alarm {
  id: number;
  subjectType: AlarmSubjectType;
  subjectId: string;
  unitId: string | null;
  kitchenId: string | null;
  type: string;
  severity: Severity;
  status: AlarmStatus;
  outcome: AlarmOutcome | null;
  title: string;
  detail: Record<string, unknown>;
  ruleVersion: number;
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  conditionClearedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgedVia: string | null;
  rectifiedAt: Date | null;
  rectifiedBy: string | null;
  rectificationNote: string | null;
  closedAt: Date | null;
  closedBy: string | null;
  closedVia: string | null;
  /** the user (users.id) handling it */
  assigneeId: string | null;
  /** the maintenance company said "on site" (from its SMS link) */
  arrivedAt: Date | null;
  arrivedBy: string | null;
  /** the inspector accepted the rectification */
  verifiedAt: Date | null;
  verifiedBy: string | null;
  /** rectifications the inspector sent back */
  reworkCount: number;
}

export interface NewAlarm {
  subjectType: AlarmSubjectType;
  subjectId: string;
  unitId?: string | null;
  kitchenId?: string | null;
  type: string;
  severity: Severity;
  title: string;
  detail?: Record<string, unknown>;
  ruleVersion?: number;
  at: Date;
}

const COLUMNS = `id::int AS id, subject_type, subject_id, unit_id, kitchen_id, type, severity, status, outcome, title, detail, rule_version, count,
  first_seen_at, last_seen_at, condition_cleared_at, acknowledged_at, acknowledged_by, acknowledged_via, rectified_at, rectified_by,
  rectification_note, closed_at, closed_by, closed_via, assignee_id, arrived_at, arrived_by, verified_at, verified_by, rework_count`;

const toAlarm = (row: Record<string, unknown>) => camelRow<Alarm>(row);

/**
 * Alarm lifecycle, open → acknowledged → rectified → closed. Every write is conditional on the current status,
 * so two workers (or a double click) can race and the second simply gets `undefined`: the caller decides
 * whether that is an error. Pass a transaction to record the audit entry with the change.
 */
export function alarmQueries(db: Queryable) {
  return {
    /**
     * Opens an alarm, or refreshes the active one of the same subject and type (partial unique index
     * alarms_one_active): count + 1, last seen, and the condition is active again.
     */
    async raise(a: NewAlarm): Promise<{ alarm: Alarm; created: boolean }> {
      const row = await one<Record<string, unknown> & { created: boolean }>(
        db,
        `INSERT INTO alarms (subject_type, subject_id, unit_id, kitchen_id, type, severity, title, detail, rule_version, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (subject_id, type) WHERE status <> 'closed' DO UPDATE SET
           count = alarms.count + 1, last_seen_at = GREATEST(alarms.last_seen_at, EXCLUDED.last_seen_at),
           condition_cleared_at = NULL, detail = alarms.detail || EXCLUDED.detail
         RETURNING ${COLUMNS}, (xmax = 0) AS created`,
        [a.subjectType, a.subjectId, a.unitId ?? null, a.kitchenId ?? null, a.type, a.severity, a.title, JSON.stringify(a.detail ?? {}), a.ruleVersion ?? 1, a.at],
      );
      if (!row) throw new Error('alarm upsert returned no row');
      const { created, ...rest } = row;
      return { alarm: toAlarm(rest), created };
    },
    /**
     * The condition went away. An alarm nobody acted on closes as auto_cleared; a rectified one closes as
     * resolved; an acknowledged one stays open for its rectification. Returns the alarm, or undefined if none was active.
     */
    async clearCondition(subjectId: string, type: string, at: Date): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `UPDATE alarms SET condition_cleared_at = $3,
           outcome = CASE status WHEN 'open' THEN 'auto_cleared' WHEN 'rectified' THEN 'resolved' ELSE outcome END,
           closed_at = CASE WHEN status IN ('open', 'rectified') THEN $3 ELSE closed_at END,
           closed_by = CASE WHEN status IN ('open', 'rectified') THEN 'system' ELSE closed_by END,
           closed_via = CASE WHEN status IN ('open', 'rectified') THEN 'automatic' ELSE closed_via END,
           status = CASE WHEN status IN ('open', 'rectified') THEN 'closed' ELSE status END
         WHERE subject_id = $1 AND type = $2 AND status <> 'closed' AND condition_cleared_at IS NULL
         RETURNING ${COLUMNS}`,
        [subjectId, type, at],
      );
      return row ? toAlarm(row) : undefined;
    },
    /** open → acknowledged. Undefined when the alarm is not open (already acknowledged, or closed). */
    async acknowledge(id: number, by: string, via: string, at = new Date()): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `UPDATE alarms SET status = 'acknowledged', acknowledged_at = $4, acknowledged_by = $2, acknowledged_via = $3
         WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`,
        [id, by, via, at],
      );
      return row ? toAlarm(row) : undefined;
    },
    /**
     * open/acknowledged → rectified with a note (acknowledging on the way if nobody had). If the condition has
     * already cleared the alarm closes as resolved at once.
     */
    async rectify(id: number, by: string, note: string, via: string, at = new Date()): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `UPDATE alarms SET rectified_at = $5, rectified_by = $2, rectification_note = $3,
           acknowledged_at = COALESCE(acknowledged_at, $5), acknowledged_by = COALESCE(acknowledged_by, $2), acknowledged_via = COALESCE(acknowledged_via, $4),
           status = CASE WHEN condition_cleared_at IS NULL THEN 'rectified' ELSE 'closed' END,
           outcome = CASE WHEN condition_cleared_at IS NULL THEN outcome ELSE 'resolved' END,
           closed_at = CASE WHEN condition_cleared_at IS NULL THEN NULL ELSE $5 END,
           closed_by = CASE WHEN condition_cleared_at IS NULL THEN NULL ELSE $2 END,
           closed_via = CASE WHEN condition_cleared_at IS NULL THEN NULL ELSE $4 END
         WHERE id = $1 AND status IN ('open', 'acknowledged') RETURNING ${COLUMNS}`,
        [id, by, note, via, at],
      );
      return row ? toAlarm(row) : undefined;
    },
    /** Any active status → closed with an outcome (an inspector's decision, or a false alarm reported from the link). */
    async close(id: number, by: string, via: string, outcome: AlarmOutcome, note?: string, at = new Date()): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `UPDATE alarms SET status = 'closed', outcome = $4, closed_at = $6, closed_by = $2, closed_via = $3,
           rectification_note = COALESCE($5, rectification_note),
           acknowledged_at = COALESCE(acknowledged_at, $6), acknowledged_by = COALESCE(acknowledged_by, $2), acknowledged_via = COALESCE(acknowledged_via, $3)
         WHERE id = $1 AND status <> 'closed' RETURNING ${COLUMNS}`,
        [id, by, via, outcome, note ?? null, at],
      );
      return row ? toAlarm(row) : undefined;
    },
    /** The maintenance company is on site (once: the first arrival counts for the 30-minute rate). */
    async arrive(id: number, by: string, at = new Date()): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(db, `UPDATE alarms SET arrived_at = $3, arrived_by = $2 WHERE id = $1 AND arrived_at IS NULL RETURNING ${COLUMNS}`, [id, by, at]);
      return row ? toAlarm(row) : undefined;
    },
    /**
     * The inspector accepts a reported rectification: a rectified alarm closes as resolved; one that already
     * closed (the condition cleared after the fix) is marked verified. Undefined when there is nothing to verify.
     */
    async acceptRectification(id: number, by: string, at = new Date()): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `UPDATE alarms SET verified_at = $3, verified_by = $2,
           outcome = CASE WHEN status = 'rectified' THEN 'resolved' ELSE outcome END,
           closed_at = CASE WHEN status = 'rectified' THEN $3 ELSE closed_at END,
           closed_by = CASE WHEN status = 'rectified' THEN $2 ELSE closed_by END,
           closed_via = CASE WHEN status = 'rectified' THEN 'dashboard' ELSE closed_via END,
           status = 'closed'
         WHERE id = $1 AND rectified_at IS NOT NULL AND verified_at IS NULL AND (status = 'rectified' OR (status = 'closed' AND outcome = 'resolved'))
         RETURNING ${COLUMNS}`,
        [id, by, at],
      );
      return row ? toAlarm(row) : undefined;
    },
    /**
     * The inspector rejects a reported rectification: the alarm goes back to the unit (acknowledged, waiting for a
     * new fix; a closed one is reopened). A reopened alarm may collide with a newer active alarm of the same
     * subject and type (alarms_one_active): the database refuses that (23505), and the caller answers 409.
     */
    async rejectRectification(id: number): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `UPDATE alarms SET status = 'acknowledged', outcome = NULL, closed_at = NULL, closed_by = NULL, closed_via = NULL,
           rectified_at = NULL, rectified_by = NULL, rework_count = rework_count + 1
         WHERE id = $1 AND rectified_at IS NOT NULL AND verified_at IS NULL AND (status = 'rectified' OR (status = 'closed' AND outcome = 'resolved'))
         RETURNING ${COLUMNS}`,
        [id],
      );
      return row ? toAlarm(row) : undefined;
    },
    async assign(id: number, userId: string | null): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(db, `UPDATE alarms SET assignee_id = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, userId]);
      return row ? toAlarm(row) : undefined;
    },
    async get(id: number): Promise<Alarm> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM alarms WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`alarm ${id}`);
      return toAlarm(row);
    },
    async find(id: number): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM alarms WHERE id = $1`, [id]);
      return row ? toAlarm(row) : undefined;
    },
    /** The active (not closed) alarm of a subject and type, if any. */
    async active(subjectId: string, type: string): Promise<Alarm | undefined> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM alarms WHERE subject_id = $1 AND type = $2 AND status <> 'closed'`, [subjectId, type]);
      return row ? toAlarm(row) : undefined;
    },
    /** Active alarms of some types whose condition still holds (the calendar rules clear those no longer due). */
    async activeOfTypes(types: string[]): Promise<Alarm[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM alarms WHERE status <> 'closed' AND condition_cleared_at IS NULL AND type = ANY($1::text[]) ORDER BY id`,
        [types],
      );
      return rows.map(toAlarm);
    },
    async list(filter: { subjectId?: string; unitId?: string; status?: AlarmStatus; activeOnly?: boolean; limit?: number } = {}): Promise<Alarm[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM alarms
         WHERE ($1::text IS NULL OR subject_id = $1) AND ($2::text IS NULL OR unit_id = $2) AND ($3::text IS NULL OR status = $3)
           AND (NOT $4::boolean OR status <> 'closed')
         ORDER BY id DESC LIMIT $5`,
        [filter.subjectId ?? null, filter.unitId ?? null, filter.status ?? null, filter.activeOnly ?? false, filter.limit ?? 500],
      );
      return camelRows<Alarm>(rows);
    },
  };
}
