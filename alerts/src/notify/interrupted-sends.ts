import type { Logger } from '@tianwang/core/log';
import { auditQueries, notificationQueries, type Registry } from '@tianwang/core/registry';
import type { Escalator } from '../escalation/escalator.js';
import { maskPhone } from '../links/ack-link.js';
import type { AlertsMetrics } from '../metrics.js';

export interface InterruptedSendsOptions {
  registry: Registry;
  escalator: Escalator;
  metrics: AlertsMetrics;
  log: Logger;
  /** a row in `sending` for longer than this was cut off; far above any provider request's timeout */
  afterMs: number;
}

/**
 * A worker that dies between claiming a reminder (queued → sending) and recording the provider's answer leaves
 * the row in `sending`. BullMQ runs the stalled job again, but the claim is at-most-once, so that run finds
 * nothing to send and the reminder would never go out. Whether the provider got the request cannot be known
 * (neither Aliyun's SendSms nor Twilio's Messages API takes an idempotency key), and for a safety reminder a
 * possible duplicate is better than a silent loss: such rows go back to `queued` with a send job of their own,
 * and the audit log says the recipient may receive the message twice.
 */
export async function resumeInterruptedSends(o: InterruptedSendsOptions): Promise<number> {
  const rows = await notificationQueries(o.registry.db).reclaimInterrupted(o.afterMs);
  for (const n of rows) {
    o.log.warn({ notification: n.id, stage: n.stage, phone: maskPhone(n.recipientPhone), claimedAt: n.claimedAt }, 'SMS interrupted while sending; sending again');
    if (n.alarmId !== null)
      await auditQueries(o.registry.db).append({
        actor: 'system', actorType: 'system', action: 'notification.resumed', subjectType: 'alarm', subjectId: String(n.alarmId), via: 'automatic',
        detail: { notification: n.id, stage: n.stage, phone: maskPhone(n.recipientPhone), note: '上次发送中断，重新发送，可能重复收到 / interrupted attempt resent; may arrive twice' },
      });
    await o.escalator.resend(n);
  }
  // a notice whose send job never reached the queue: sent now (claim() keeps a late original job from sending twice)
  const stranded = await notificationQueries(o.registry.db).strandedNotices(o.afterMs);
  for (const n of stranded) {
    o.log.warn({ notification: n.id, stage: n.stage, phone: maskPhone(n.recipientPhone) }, 'notice never queued; queueing it');
    await o.escalator.resend(n);
  }
  const resumed = rows.length + stranded.length;
  if (resumed) o.metrics.sms.inc({ provider: 'none', result: 'resumed' }, resumed);
  return resumed;
}
