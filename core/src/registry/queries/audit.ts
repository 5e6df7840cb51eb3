import type { Queryable } from '../db.js';
import { camelRows } from '../rows.js';
import type { AuditEntry } from '../types.js';

/** An entry to append: the database numbers and dates it; no detail is `{}`. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'detail'> & { detail?: Record<string, unknown> };

/** The append-only audit log (the table refuses UPDATE and DELETE). Pass a transaction to record with the change itself. */
export function auditQueries(db: Queryable) {
  return {
    async append(e: NewAuditEntry): Promise<void> {
      await db.query(
        'INSERT INTO audit_log (actor, actor_type, action, subject_type, subject_id, via, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [e.actor, e.actorType, e.action, e.subjectType, e.subjectId, e.via, JSON.stringify(e.detail ?? {})],
      );
    },
    async forSubject(subjectType: string, subjectId: string): Promise<AuditEntry[]> {
      const rows = await db.query<Record<string, unknown>>(
        'SELECT id, at, actor, actor_type, action, subject_type, subject_id, via, detail FROM audit_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY id',
        [subjectType, subjectId],
      );
      return camelRows<AuditEntry>(rows);
    },
  };
}
