import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { silentLogger, type Logger } from '@tianwang/core/log';
import type { Registry } from '@tianwang/core/registry';
import { queueRework } from '../escalation/rework.js';
import { stopReminders } from '../escalation/stop.js';
import { alertsKeys } from '../keys.js';
import { QUEUES } from '../queues.js';
import { createAlarmService, type AlarmService } from './alarm-service.js';

/**
 * The alarm lifecycle for other processes (the dashboard's acknowledgement page, the API): the same transitions
 * and audit as the alerts workers, and acknowledging removes the delayed escalation jobs from the shared queue.
 */
export interface AlarmActions {
  alarms: AlarmService;
  close(): Promise<void>;
}

export function createAlarmActions(o: { registry: Registry; redisUrl: string; keyPrefix: string; log?: Logger }): AlarmActions {
  const log = (o.log ?? silentLogger()).child({ component: 'alarm-actions' });
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  const queue = new Queue(QUEUES.escalation, { connection: redis, prefix: alertsKeys(o.keyPrefix).bullPrefix });
  queue.on('error', (err) => log.warn({ err }, 'queue error'));
  const alarms = createAlarmService(
    o.registry,
    (alarm, reason) => stopReminders(o.registry, queue, alarm, reason, log),
    // the queue contract: the alerts workers send the unit a new SMS (escalator.dispatch of stage 'rework')
    (alarm, reason) => queueRework(queue, alarm, reason),
  );
  let closed: Promise<void> | undefined;
  return {
    alarms,
    close() {
      closed ??= (async () => {
        await queue.close().catch((err: unknown) => log.warn({ err }, 'queue close failed'));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}
