import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { isRetryable } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';
import { alarmQueries, auditQueries, notificationQueries, type Notification, type Registry } from '@tianwang/core/registry';
import type { SendJobData } from '../escalation/escalator.js';
import { ESCALATION_STAGES, type Stage } from '../escalation/plan.js';
import { createAckLink, maskPhone } from '../links/ack-link.js';
import type { AlertsMetrics } from '../metrics.js';
import { type Locale, type SmsMessage, type SmsProvider } from './provider.js';
import type { RecipientRateLimit } from './rate-limit.js';
import { digestParams, render } from './templates.js';
import { retrying } from '../retry-backoff.js';

export interface SmsSenderOptions {
  registry: Registry;
  provider: SmsProvider;
  rateLimit: RecipientRateLimit;
  smsQueue: Queue;
  metrics: AlertsMetrics;
  log: Logger;
  signName: string;
  publicUrl: string;
  linkKey: Buffer;
  linkTtlMs: number;
  now: () => number;
}

export interface FlushJobData {
  phone: string;
}

const strip = (params: Record<string, string>) => Object.fromEntries(Object.entries(params).filter(([k]) => !k.startsWith('_')));

/**
 * Sends SMS jobs. The order of steps is what makes the guarantees:
 *  1. rate limit: a recipient already messaged in this window gets the reminder held (not dropped) and a flush
 *     job at the window's end merges everything held into one digest; critical alarms never wait.
 *  2. claim: rows move queued → sending exactly once, so a retried job or a second worker sends nothing twice.
 *  3. send; on a retryable failure (the error's `retryable`, core/src/errors) the rows go back to queued and BullMQ
 *     retries with exponential backoff; a permanent one (invalid number, any PermanentError) fails them at once
 *     (UnrecoverableError) and is reported.
 */
export function createSmsSender(o: SmsSenderOptions) {
  const notifications = notificationQueries(o.registry.db);
  const alarms = alarmQueries(o.registry.db);

  async function scheduleFlush(phone: string, until: number) {
    await o.smsQueue.add('flush', { phone } satisfies FlushJobData, {
      // one flush per recipient and window: adding it again for the same window is a no-op
      jobId: `f-${phone.replace(/\D/g, '')}-${until}`, delay: Math.max(0, until - o.now()), ...retrying(8, 2000),
      removeOnComplete: true, removeOnFail: { count: 5000 },
    });
  }

  /** Drops rows that must not go out any more: chasing stages of an alarm someone already reacted to. */
  async function withoutStale(rows: Notification[]): Promise<Notification[]> {
    const keep: Notification[] = [];
    const stale: number[] = [];
    for (const n of rows) {
      const a = n.alarmId ? await alarms.find(n.alarmId) : undefined;
      const chasing = ESCALATION_STAGES.includes(n.stage as Stage);
      if (a && ((chasing && a.status !== 'open') || (a.status === 'closed' && a.outcome !== 'auto_cleared'))) stale.push(n.id);
      else keep.push(n);
    }
    if (stale.length) {
      await notifications.cancel(stale);
      o.metrics.sms.inc({ provider: 'none', result: 'cancelled' }, stale.length);
    }
    return keep;
  }

  async function compose(rows: Notification[]): Promise<SmsMessage> {
    const first = rows[0]!;
    const locale = first.locale as Locale;
    // one row goes out as written, with its own template (an alarm reminder or notice; a summary)
    if (rows.length === 1) return { to: first.recipientPhone, locale, template: first.template === 'summary' ? 'summary' : 'alarm', params: strip(first.params), text: first.body };
    const alarmIds = [...new Set(rows.map((r) => r.alarmId).filter((x): x is number => x !== null))];
    const link = await createAckLink(o.registry, o.linkKey, o.publicUrl, { alarmIds, stage: first.stage, recipient: `${first.recipientName} ${maskPhone(first.recipientPhone)}` }, o.linkTtlMs, o.now());
    const params = digestParams(rows.map((r) => ({ device: r.params._short ?? r.params.device ?? '', what: '', ...(r.params.unit ? { unit: r.params.unit } : {}) })), link, locale);
    return { to: first.recipientPhone, locale, template: 'digest', params, text: render('digest', locale, params, o.signName) };
  }

  /** Sends `ids` plus everything held for the phone, as one message. The caller holds the rate slot (or bypasses it). */
  async function deliver(job: Job, phone: string, ids: number[], until: number | undefined, origin?: number, alone = false) {
    // A critical reminder that jumps the rate limit goes out alone, in full (unit, registration code, place):
    // what is held for this recipient stays held for the window's digest instead of diluting it. So does a notice
    // (it carries its own link, which a digest would replace).
    const held = until === undefined || alone ? [] : await o.rateLimit.drain(phone);
    const claimed = await notifications.claim([...new Set([...ids, ...held])]);
    const rows = await withoutStale(claimed);
    if (!rows.length) {
      if (until) await o.rateLimit.release(phone, until);
      return;
    }
    // critical first: a merged message leads with the most urgent reminder
    const message = await compose(rows);
    const rowIds = rows.map((r) => r.id);
    try {
      const res = await o.provider.send(message);
      await notifications.markSent(rows[0]!.id, res.provider, res.messageId, message.text, rowIds.slice(1));
      o.metrics.sms.inc({ provider: res.provider, result: 'sent' });
      if (rows.length > 1) o.metrics.sms.inc({ provider: res.provider, result: 'merged' }, rows.length - 1);
      if (origin) o.metrics.eventToSms.observe((o.now() - origin) / 1000);
    } catch (err) {
      // the error's intent decides: a permanent one (a refused number, a provider saying no for good) is final
      const retryable = isRetryable(err);
      const final = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) {
        await notifications.markFailed(rowIds, (err as Error).message);
        o.metrics.sms.inc({ provider: o.provider.name, result: 'failed' }, rowIds.length);
        await reportFailure(rows, err as Error);
        if (!retryable) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
      // certainly not delivered (the provider answered or never got it): queue again, give the slot back
      await notifications.release(rowIds, (err as Error).message);
      const others = rowIds.filter((id) => !ids.includes(id));
      await o.rateLimit.hold(phone, others);
      if (until) await o.rateLimit.release(phone, until);
      o.metrics.sms.inc({ provider: o.provider.name, result: 'retry' });
      throw err;
    }
  }

  async function reportFailure(rows: Notification[], err: Error) {
    o.log.warn({ err, phone: maskPhone(rows[0]!.recipientPhone), notifications: rows.map((r) => r.id) }, 'SMS failed permanently');
    for (const r of rows) {
      if (!r.alarmId) continue;
      await auditQueries(o.registry.db).append({
        actor: 'system', actorType: 'system', action: 'notification.failed', subjectType: 'alarm', subjectId: String(r.alarmId), via: 'automatic',
        detail: { notification: r.id, stage: r.stage, phone: maskPhone(r.recipientPhone), error: err.message.slice(0, 300) },
      });
    }
  }

  return {
    async process(job: Job): Promise<void> {
      if (job.name === 'flush') {
        const { phone } = job.data as FlushJobData;
        const slot = await o.rateLimit.acquire(phone, o.now());
        if (!slot.ok) return scheduleFlush(phone, slot.until);
        return deliver(job, phone, [], slot.until);
      }
      const d = job.data as SendJobData;
      const slot = await o.rateLimit.acquire(d.phone, o.now());
      if (!slot.ok && !d.critical && !d.alone) {
        await o.rateLimit.hold(d.phone, d.ids);
        await scheduleFlush(d.phone, slot.until);
        o.metrics.sms.inc({ provider: 'none', result: 'held' });
        return;
      }
      return deliver(job, d.phone, d.ids, slot.ok ? slot.until : undefined, d.origin, d.alone);
    },
  };
}
