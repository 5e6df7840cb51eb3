import { NotFoundError } from '../../errors/index.js';
import { one, type Queryable } from '../db.js';
import { camelRow, camelRows } from '../rows.js';

export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'merged' | 'cancelled';

export interface Notification {
  id: number;
  alarmId: number | null;
  stage: string;
  recipientName: string;
  recipientPhone: string;
  channel: string;
  provider: string | null;
  template: string;
  params: Record<string, string>;
  body: string;
  locale: string;
  status: NotificationStatus;
  providerMessageId: string | null;
  error: string | null;
  attempts: number;
  mergedInto: number | null;
  createdAt: Date;
  /** when the last attempt claimed it (queued → sending) */
  claimedAt: Date | null;
  sentAt: Date | null;
  /** the provider's delivery receipt said delivered */
  deliveredAt: Date | null;
  /** the provider's delivery receipt said it failed, and why */
  receiptError: string | null;
}

export interface NewNotification {
  /** null: a notice that is not an alarm reminder (a kitchen's rectification notice); it is never deduplicated here */
  alarmId: number | null;
  stage: string;
  recipientName: string;
  recipientPhone: string;
  template: string;
  params: Record<string, string>;
  body: string;
  locale: string;
}

const COLUMNS = `id::int AS id, alarm_id::int AS alarm_id, stage, recipient_name, recipient_phone, channel, provider, template, params, body, locale,
  status, provider_message_id, error, attempts, merged_into::int AS merged_into, created_at, claimed_at, sent_at, delivered_at, receipt_error`;
const toNotification = (row: Record<string, unknown>) => camelRow<Notification>(row);

/**
 * SMS notifications. The partial unique index notifications_once makes each (alarm, stage, recipient) a single
 * row; `claim` moves it queued → sending exactly once, which is what makes a retried or replayed job harmless.
 */
export function notificationQueries(db: Queryable) {
  return {
    /** Creates the row; undefined when this (alarm, stage, recipient) already has one. */
    async createOnce(n: NewNotification): Promise<number | undefined> {
      const row = await one<{ id: number }>(
        db,
        `INSERT INTO notifications (alarm_id, stage, recipient_name, recipient_phone, template, params, body, locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (alarm_id, stage, recipient_phone) WHERE alarm_id IS NOT NULL DO NOTHING RETURNING id::int AS id`,
        [n.alarmId, n.stage, n.recipientName, n.recipientPhone, n.template, JSON.stringify(n.params), n.body, n.locale],
      );
      return row?.id;
    },
    /** queued → sending, once. Undefined when another worker (or an earlier attempt) has it. */
    async claim(ids: number[]): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(
        `UPDATE notifications SET status = 'sending', attempts = attempts + 1, claimed_at = now() WHERE id = ANY($1::bigint[]) AND status = 'queued' RETURNING ${COLUMNS}`,
        [ids],
      );
      return rows.map(toNotification).sort((a, b) => a.id - b.id);
    },
    /**
     * sending → queued for rows claimed more than `olderThanMs` ago: their worker died before the provider's
     * answer was recorded (rows from before migration 0003 have no claim time and count as interrupted).
     * One UPDATE, so of several alerts instances each row goes back to exactly one of them.
     */
    async reclaimInterrupted(olderThanMs: number): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(
        `UPDATE notifications SET status = 'queued', error = 'interrupted while sending'
          WHERE status = 'sending' AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $1::double precision / 1000))
          RETURNING ${COLUMNS}`,
        [olderThanMs],
      );
      return rows.map(toNotification).sort((a, b) => a.id - b.id);
    },
    /**
     * Notices (no alarm) written by another process that queues their send job after its commit: one still queued
     * and never attempted long after it was written lost that job (Redis away, a crash in between).
     */
    async strandedNotices(olderThanMs: number): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM notifications WHERE alarm_id IS NULL AND status = 'queued' AND attempts = 0
          AND created_at < now() - make_interval(secs => $1::double precision / 1000) ORDER BY id`,
        [olderThanMs],
      );
      return rows.map(toNotification);
    },
    /** sending → queued after a failure that certainly did not deliver (the provider answered with an error). */
    async release(ids: number[], error: string): Promise<void> {
      await db.query(`UPDATE notifications SET status = 'queued', error = $2 WHERE id = ANY($1::bigint[]) AND status = 'sending'`, [ids, error]);
    },
    /** The primary row is sent; the others it carried are marked merged into it. */
    async markSent(id: number, provider: string, messageId: string, body: string, mergedIds: number[] = []): Promise<void> {
      await db.query(
        `UPDATE notifications SET status = 'sent', provider = $2, provider_message_id = $3, body = $4, sent_at = now(), error = NULL WHERE id = $1`,
        [id, provider, messageId, body],
      );
      if (mergedIds.length)
        await db.query(`UPDATE notifications SET status = 'merged', merged_into = $1, sent_at = now() WHERE id = ANY($2::bigint[])`, [id, mergedIds]);
    },
    /**
     * A provider's delivery receipt for a sent message: delivered, or failed with the
     * provider's reason. Only a sent row moves (a late receipt never undoes a newer one). Answers the rows changed.
     */
    async applyReceipt(provider: string, messageId: string, r: { delivered: boolean; at: Date; error?: string }): Promise<number> {
      const rows = await db.query(
        `UPDATE notifications SET status = $3, delivered_at = CASE WHEN $3 = 'delivered' THEN $4::timestamptz ELSE delivered_at END, receipt_error = $5
          WHERE status = 'sent' AND provider = $1 AND provider_message_id = $2
          RETURNING id`,
        [provider, messageId, r.delivered ? 'delivered' : 'failed', r.at, r.delivered ? null : (r.error ?? 'undelivered').slice(0, 300)],
      );
      return rows.length;
    },
    /** Sent messages of a provider still waiting for a receipt (the receipt poller asks about these). */
    async awaitingReceipt(provider: string, since: Date, limit = 500): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM notifications WHERE provider = $1 AND status = 'sent' AND provider_message_id IS NOT NULL AND sent_at >= $2 ORDER BY id LIMIT $3`,
        [provider, since, limit],
      );
      return camelRows<Notification>(rows);
    },
    /** Rows claimed but not to be sent after all (the alarm was acknowledged meanwhile). */
    async cancel(ids: number[]): Promise<void> {
      await db.query(`UPDATE notifications SET status = 'cancelled' WHERE id = ANY($1::bigint[]) AND status IN ('queued', 'sending')`, [ids]);
    },
    async markFailed(ids: number[], error: string, provider?: string): Promise<void> {
      await db.query(`UPDATE notifications SET status = 'failed', error = $2, provider = COALESCE($3, provider) WHERE id = ANY($1::bigint[]) AND status IN ('queued', 'sending')`, [
        ids,
        error.slice(0, 500),
        provider ?? null,
      ]);
    },
    /** Stops what is still waiting for an alarm (acknowledged, closed). */
    async cancelQueued(alarmId: number, stages?: string[]): Promise<number> {
      const rows = await db.query(
        `UPDATE notifications SET status = 'cancelled' WHERE alarm_id = $1 AND status = 'queued' AND ($2::text[] IS NULL OR stage = ANY($2::text[])) RETURNING id`,
        [alarmId, stages ?? null],
      );
      return rows.length;
    },
    async get(id: number): Promise<Notification> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM notifications WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`notification ${id}`);
      return toNotification(row);
    },
    async getMany(ids: number[]): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM notifications WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
      return camelRows<Notification>(rows);
    },
    async listForAlarm(alarmId: number): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM notifications WHERE alarm_id = $1 ORDER BY id`, [alarmId]);
      return camelRows<Notification>(rows);
    },
    async list(filter: { status?: NotificationStatus; phone?: string; limit?: number } = {}): Promise<Notification[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM notifications WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR recipient_phone = $2) ORDER BY id LIMIT $3`,
        [filter.status ?? null, filter.phone ?? null, filter.limit ?? 1000],
      );
      return camelRows<Notification>(rows);
    },
  };
}

/** Short acknowledgement links: random id → signed token (migration 0002). */
export function ackLinkQueries(db: Queryable) {
  return {
    async put(id: string, token: string, expiresAt: Date): Promise<void> {
      await db.query('INSERT INTO ack_links (id, token, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, token, expiresAt]);
    },
    async token(id: string): Promise<string | undefined> {
      const row = await one<{ token: string }>(db, 'SELECT token FROM ack_links WHERE id = $1', [id]);
      return row?.token;
    },
    /** Housekeeping: links expired more than `graceDays` ago. */
    async purgeExpired(graceDays = 30): Promise<number> {
      const rows = await db.query(`DELETE FROM ack_links WHERE expires_at < now() - make_interval(days => $1) RETURNING id`, [graceDays]);
      return rows.length;
    },
  };
}
