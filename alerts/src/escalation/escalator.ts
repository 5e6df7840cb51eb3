import type { Queue } from 'bullmq';
import type { Logger } from '@tianwang/core/log';
import { alarmQueries, notificationQueries, type Alarm, type Notification, type Registry } from '@tianwang/core/registry';
import { createAckLink, maskPhone } from '../links/ack-link.js';
import { queueNotice } from '../notify/notice.js';
import { localeFor, type Locale } from '../notify/provider.js';
import { alarmParams, render, reworkNote, stageNote } from '../notify/templates.js';
import { localShortTime, msUntilRangeEnd } from '../time/local-time.js';
import { ESCALATION_STAGES, STAGE_LABEL, planStages, type Stage } from './plan.js';
import { recipientsOf, subjectInfo } from './recipients.js';
import { reworkStage } from './rework.js';
import { stageJobId, stopReminders } from './stop.js';
import { retrying, STAGE_RETRY } from '../retry-backoff.js';

export interface EscalatorOptions {
  registry: Registry;
  escalationQueue: Queue;
  smsQueue: Queue;
  log: Logger;
  publicUrl: string;
  linkKey: Buffer;
  linkTtlMs: number;
  principalMin: number;
  inspectorMin: number;
  /** length of a "minute" of the escalation table (tests shrink it) */
  minuteMs: number;
  quietHours: string;
  timezone: string;
  signName: string;
  defaultLocale: Locale;
  smsAttempts: number;
  smsBackoffMs: number;
  now: () => number;
}

export interface SendJobData {
  ids: number[];
  phone: string;
  critical: boolean;
  /** when the broker received the message that raised the alarm (latency metric); absent for later stages */
  origin?: number;
  /** a notice with a link of its own (notify/notice.ts): never held by the rate limit nor merged into a digest */
  alone?: boolean;
}


/**
 * Runs the escalation table for an alarm: immediate stages are dispatched inline (no extra queue hop on the
 * hot path); later ones are delayed BullMQ jobs with deterministic ids, which acknowledging removes. Even a
 * job that escapes removal re-checks the alarm before sending, and each (alarm, stage, recipient) is one row.
 */
export function createEscalator(o: EscalatorOptions) {
  const notifications = notificationQueries(o.registry.db);
  const low = (a: Alarm) => a.severity === 'minor' || a.severity === 'warning';

  async function enqueueSend(id: number, phone: string, alarm: Alarm, origin?: number, jobId = `n-${id}`) {
    const data: SendJobData = { ids: [id], phone, critical: alarm.severity === 'critical', ...(origin ? { origin } : {}) };
    await o.smsQueue.add('send', data, {
      jobId, ...retrying(o.smsAttempts, o.smsBackoffMs), removeOnComplete: true, removeOnFail: { count: 5000 },
    });
  }

  /** `rework`: the round and the inspector's reason (the row's stage is `rework-<round>`, one SMS per round). */
  async function dispatch(alarmOrId: Alarm | number, stage: Stage, origin?: number, rework?: { round: number; reason: string }): Promise<number> {
    const alarm = typeof alarmOrId === 'number' ? await alarmQueries(o.registry.db).find(alarmOrId) : alarmOrId;
    if (!alarm) return 0;
    // a later stage only chases a reaction; an alarm that closed meanwhile (cleared, false alarm) is not chased either
    if (alarm.status === 'closed' || (ESCALATION_STAGES.includes(stage) && alarm.status !== 'open')) return 0;
    // a rejected fix is news only while the alarm still waits for a new one
    if (rework && (alarm.status !== 'acknowledged' || alarm.reworkCount !== rework.round)) return 0;
    const rowStage = rework ? reworkStage(rework.round) : stage;
    const info = await subjectInfo(o.registry, alarm);
    const people = await recipientsOf(o.registry, alarm, stage);
    let queued = 0;
    for (const r of people) {
      const existing = (await notifications.listForAlarm(alarm.id)).find((n) => n.stage === rowStage && n.recipientPhone === r.phone);
      if (existing) {
        // a retried stage job: the row exists; re-adding its send job is harmless (claim() sends it at most once)
        if (existing.status === 'queued') await enqueueSend(existing.id, r.phone, alarm, origin);
        continue;
      }
      const locale = localeFor(r.phone, o.defaultLocale);
      const label = `${STAGE_LABEL[stage].zh} ${r.name} ${maskPhone(r.phone)}`;
      const link = await createAckLink(o.registry, o.linkKey, o.publicUrl, { alarmIds: [alarm.id], stage: rowStage, recipient: label }, o.linkTtlMs, o.now());
      const title = locale === 'zh-CN' ? alarm.title : String(alarm.detail.titleEn ?? alarm.title);
      const what = title + (rework ? reworkNote(rework.reason, locale) : stageNote(stage, locale, { principal: o.principalMin, inspector: o.inspectorMin }));
      const params = alarmParams({ ...info, what, time: localShortTime(o.timezone, alarm.firstSeenAt), link }, locale);
      const body = render('alarm', locale, params, o.signName);
      const id = await notifications.createOnce({
        alarmId: alarm.id, stage: rowStage, recipientName: r.name, recipientPhone: r.phone, template: 'alarm', locale, body,
        // _short: the one-line form used when this reminder is merged into a digest (stripped before sending)
        params: { ...params, _short: `${info.deviceName}${locale === 'zh-CN' ? '' : ' '}${title}` },
      });
      if (id === undefined) continue;
      await enqueueSend(id, r.phone, alarm, origin);
      queued++;
    }
    return queued;
  }

  return {
    dispatch,
    /** A new alarm: immediate stages now, later ones as delayed jobs. Low severities wait out quiet hours. */
    async onRaised(alarm: Alarm, origin?: number): Promise<void> {
      const quietMs = low(alarm) ? msUntilRangeEnd(o.quietHours, o.timezone, new Date(o.now())) : 0;
      for (const p of planStages(alarm, { principal: o.principalMin, inspector: o.inspectorMin })) {
        const delay = p.afterMin * o.minuteMs + quietMs;
        if (delay === 0) await dispatch(alarm, p.stage, origin);
        else
          await o.escalationQueue.add('stage', { alarmId: alarm.id, stage: p.stage }, {
            jobId: stageJobId(alarm.id, p.stage), delay, ...STAGE_RETRY, removeOnComplete: true, removeOnFail: { count: 1000 },
          });
      }
    },
    /**
     * Sends a queued row again with a job of its own: the job that claimed it earlier may still sit in BullMQ's
     * failed set under `n-<id>`, where adding the same id again would be a no-op.
     */
    async resend(n: Notification): Promise<void> {
      if (n.alarmId === null) return queueNotice(o.smsQueue, n.id, n.recipientPhone, { attempts: o.smsAttempts, backoffMs: o.smsBackoffMs }, `n-${n.id}-r${n.attempts}`);
      const alarm = n.alarmId === null ? undefined : await alarmQueries(o.registry.db).find(n.alarmId);
      if (!alarm) return;
      await enqueueSend(n.id, n.recipientPhone, alarm, undefined, `n-${n.id}-r${n.attempts}`);
    },
    stop: (alarm: Alarm, reason: string) => stopReminders(o.registry, o.escalationQueue, alarm, reason, o.log),
  };
}
export type Escalator = ReturnType<typeof createEscalator>;
