import type { Queue } from 'bullmq';
import type { Logger } from '@tianwang/core/log';
import { notificationQueries, type Alarm, type Registry } from '@tianwang/core/registry';
import { ESCALATION_STAGES, type Stage } from './plan.js';

export const stageJobId = (alarmId: number, stage: Stage) => `${alarmId}-${stage}`;
const ALL_STAGES: Stage[] = ['officer', 'maintenance', 'contact', ...ESCALATION_STAGES];

/**
 * Someone reacted (or the alarm closed): remove the delayed stage jobs and cancel what still waits. An alarm
 * that cleared by itself stops only the chasing stages: the officer still learns that it happened. Used by the
 * alerts workers and by the dashboard (acknowledgement page), which share the escalation queue.
 */
export async function stopReminders(registry: Registry, escalationQueue: Queue, alarm: Alarm, reason: string, log?: Logger): Promise<void> {
  const stages = reason === 'auto_cleared' ? ESCALATION_STAGES : ALL_STAGES;
  for (const s of stages) {
    try {
      await escalationQueue.remove(stageJobId(alarm.id, s));
    } catch (err) {
      // an active job cannot be removed; it re-checks the alarm before sending anyway
      log?.debug({ err, alarm: alarm.id, stage: s }, 'escalation job not removed');
    }
  }
  await notificationQueries(registry.db).cancelQueued(alarm.id, reason === 'auto_cleared' ? ESCALATION_STAGES : undefined);
}
