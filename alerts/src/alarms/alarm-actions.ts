import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { silentLogger, type Logger } from '@tianwang/core/log';
import type { Queryable, Registry } from '@tianwang/core/registry';
import { queueRework } from '../escalation/rework.js';
import { stopReminders } from '../escalation/stop.js';
import { alertsKeys } from '../keys.js';
import { createNotice, createSummary, queueNotice, type NoticeInput, type SummaryInput } from '../notify/notice.js';
import type { Locale } from '../notify/provider.js';
import { QUEUES } from '../queues.js';
import { createAlarmService, type AlarmService } from './alarm-service.js';

/**
 * The alarm lifecycle for other processes (the dashboard's acknowledgement page, the API): the same transitions
 * and audit as the alerts workers, and acknowledging removes the delayed escalation jobs from the shared queue.
 */
export interface AlarmActions {
  alarms: AlarmService;
  /** SMS notices that are not alarm reminders: write the row in the caller's transaction, queue it after the commit */
  notices: {
    create(db: Queryable, n: NoticeInput): Promise<number>;
    /** a summary (figures and a link, no action asked); undefined when this stage already went to this phone */
    summary(db: Queryable, s: SummaryInput): Promise<number | undefined>;
    queue(id: number, phone: string): Promise<void>;
  };
  close(): Promise<void>;
}

export interface AlarmActionsOptions {
  registry: Registry;
  redisUrl: string;
  keyPrefix: string;
  log?: Logger;
  /** notices' texts and retries (TW_ALIYUN_SIGN_NAME, TW_SMS_LOCALE, TW_SMS_MAX_ATTEMPTS, TW_SMS_BACKOFF_MS) */
  sms?: { signName: string; locale: Locale; attempts: number; backoffMs: number };
}

export function createAlarmActions(o: AlarmActionsOptions): AlarmActions {
  const sms = o.sms ?? { signName: '天网提醒', locale: 'zh-CN' as const, attempts: 6, backoffMs: 2000 };
  const log = (o.log ?? silentLogger()).child({ component: 'alarm-actions' });
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  const queue = new Queue(QUEUES.escalation, { connection: redis, prefix: alertsKeys(o.keyPrefix).bullPrefix });
  queue.on('error', (err) => log.warn({ err }, 'queue error'));
  const smsQueue = new Queue(QUEUES.sms, { connection: redis, prefix: alertsKeys(o.keyPrefix).bullPrefix });
  smsQueue.on('error', (err) => log.warn({ err }, 'queue error'));
  const alarms = createAlarmService(
    o.registry,
    (alarm, reason) => stopReminders(o.registry, queue, alarm, reason, log),
    // the queue contract: the alerts workers send the unit a new SMS (escalator.dispatch of stage 'rework')
    (alarm, reason) => queueRework(queue, alarm, reason),
  );
  let closed: Promise<void> | undefined;
  return {
    alarms,
    notices: {
      create: (db, n) => createNotice(db, { signName: sms.signName, defaultLocale: sms.locale }, n),
      summary: (db, s) => createSummary(db, { signName: sms.signName, defaultLocale: sms.locale }, s),
      queue: (id, phone) => queueNotice(smsQueue, id, phone, { attempts: sms.attempts, backoffMs: sms.backoffMs }),
    },
    close() {
      closed ??= (async () => {
        await queue.close().catch((err: unknown) => log.warn({ err }, 'queue close failed'));
        await smsQueue.close().catch((err: unknown) => log.warn({ err }, 'queue close failed'));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}
