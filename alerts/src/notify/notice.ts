import type { Queue } from 'bullmq';
import { notificationQueries, type Queryable } from '@tianwang/core/registry';
import type { SendJobData } from '../escalation/escalator.js';
import { maskPhone } from '../links/ack-link.js';
import { localeFor, type Locale, type TemplateId } from './provider.js';
import { render } from './templates.js';
import { retrying } from '../retry-backoff.js';

/**
 * A notice: an SMS that is not an alarm reminder, e.g. a kitchen's rectification notice after a failed spot check
 * (dashboard). The caller writes the row in its own transaction (`createNotice`), so the notice exists exactly when
 * the change that caused it was committed, then queues it (`queueNotice`) on the alerts SMS queue; the alerts workers
 * send it like any reminder (claim once, retry, failover, receipts). A row whose send job was lost (Redis away at
 * that moment, a crash in between) is found by their interrupted-sends scan and sent then: nothing is dropped.
 *
 * It uses the registered `alarm` template (no new template to file with Aliyun): `${unit}：${device}于${time}发生“${what}”，
 * 请立即处置。确认及反馈整改：${link}` with the subject as `device` and the finding as `what`.
 */
/** Who a notice or summary goes to, and the row's stage. */
export interface NoticeRecipient {
  /** the row's stage, unique per reason and round, e.g. `kitchen-rectify-12-1` */
  stage: string;
  /** as the audit log names the recipient: "餐馆联系人 张三" */
  recipientName: string;
  recipientPhone: string;
}

export interface NoticeInput extends NoticeRecipient {
  unit: string;
  subject: Record<Locale, string>;
  what: Record<Locale, string>;
  /** local time as the SMS shows it */
  time: string;
  link: string;
}

export interface NoticeTexts {
  signName: string;
  defaultLocale: Locale;
}

/** Writes the notice's row (status queued) with the text in the recipient's language; returns its id. */
export async function createNotice(db: Queryable, texts: NoticeTexts, n: NoticeInput): Promise<number> {
  return createRow(db, texts, 'alarm', n, (locale) => ({ unit: n.unit, device: n.subject[locale], what: n.what[locale], time: n.time, link: n.link }));
}

/** A notice's or summary's row, status queued, in the recipient's language, on `template`; answers its id. */
async function createRow(db: Queryable, texts: NoticeTexts, template: TemplateId, n: NoticeRecipient, paramsIn: (l: Locale) => Record<string, string>): Promise<number> {
  const locale = localeFor(n.recipientPhone, texts.defaultLocale);
  const params = paramsIn(locale);
  const id = await notificationQueries(db).createOnce({
    alarmId: null, stage: n.stage, recipientName: n.recipientName, recipientPhone: n.recipientPhone, template, locale,
    body: render(template, locale, params, texts.signName), params,
  });
  if (id === undefined) throw new Error(`${template} notice ${n.stage} to ${maskPhone(n.recipientPhone)} was not created`);
  return id;
}

/** Queues the send job of a notice row: alone (never merged into a digest, whose link would replace the notice's). */
export async function queueNotice(smsQueue: Queue, id: number, phone: string, retry: { attempts: number; backoffMs: number }, jobId = `n-${id}`): Promise<void> {
  await smsQueue.add('send', { ids: [id], phone, critical: false, alone: true } satisfies SendJobData, {
    jobId, ...retrying(retry.attempts, retry.backoffMs), removeOnComplete: true, removeOnFail: { count: 5000 },
  });
}

/**
 * A summary: figures for a supervisor with a link to the full report (the weekly report's SMS to a district's lead
 * inspector), on the registered `summary` template `${district}${period}监管周报：${figures}。详见：${link}`.
 */
export interface SummaryInput extends NoticeRecipient {
  /** unique per report and recipient, e.g. `weekly-summary-D1-2026-11-09` */
  stage: string;
  district: string;
  period: Record<Locale, string>;
  figures: Record<Locale, string>;
  link: string;
}

/**
 * Writes the summary's row (status queued); returns its id, or undefined when this stage already has a row for this
 * phone (a report job run again after a failure: the recipient gets the summary once).
 */
export async function createSummary(db: Queryable, texts: NoticeTexts, s: SummaryInput): Promise<number | undefined> {
  const [sent] = await db.query<{ id: number }>('SELECT id::int AS id FROM notifications WHERE alarm_id IS NULL AND stage = $1 AND recipient_phone = $2 LIMIT 1', [s.stage, s.recipientPhone]);
  if (sent) return undefined;
  return createRow(db, texts, 'summary', s, (locale) => ({ district: s.district, period: s.period[locale], figures: s.figures[locale], link: s.link }));
}
