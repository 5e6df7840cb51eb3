import type { Queue } from 'bullmq';
import type { Alarm } from '@tianwang/core/registry';
import { STAGE_RETRY } from '../retry-backoff.js';

/** The escalation queue's job for a rectification the inspector sent back (name 'rework'). */
export interface ReworkJobData {
  alarmId: number;
  /** which rejection this is (alarms.rework_count): each round is its own SMS row (`rework-<round>`) */
  round: number;
  reason: string;
}

export const REWORK_JOB = 'rework';
export const reworkStage = (round: number) => `rework-${round}`;

/**
 * Queues the SMS that tells the unit its fix was rejected. Any process may call this (the dashboard does, through
 * @tianwang/alerts/actions): the alerts workers send it like any stage, so the dashboard never loads an SMS SDK.
 */
export async function queueRework(queue: Queue, alarm: Alarm, reason: string): Promise<void> {
  const data: ReworkJobData = { alarmId: alarm.id, round: alarm.reworkCount, reason };
  await queue.add(REWORK_JOB, data, {
    jobId: `${alarm.id}-${reworkStage(alarm.reworkCount)}`, ...STAGE_RETRY, removeOnComplete: true, removeOnFail: { count: 1000 },
  });
}
