import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import type { ApiContext } from '../api/context.js';
import { previousWeek, writeWeeklyReport } from './weekly-report.js';
import { sendWeeklySummary } from './weekly-summary.js';

/**
 * The weekly report as a BullMQ job in the dashboard process (docs/dashboard.md "Weekly report": why here and not in
 * alerts). One job scheduler per deployment (`upsertJobScheduler` is idempotent, so every dashboard process may
 * declare it and the job still runs once per slot, on one of them); the job writes the previous week's report of
 * every top-level district, and sends its lead inspector the SMS summary (weekly-summary.ts). A failed job is retried
 * by BullMQ (3 attempts) and logged.
 */
export const REPORTS_QUEUE = 'dashboard-reports';
const WEEKLY = 'weekly-report';

export interface ReportJobs {
  /** queues a run now (for the week before `at`, default now); answers when it has finished */
  runNow(at?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startReportJobs(o: { ctx: ApiContext; redis: Redis; prefix: string; cron: string; log: Logger }): Promise<ReportJobs> {
  const connection = o.redis.duplicate({ maxRetriesPerRequest: null });
  connection.on('error', (err) => o.log.warn({ err }, 'redis error (report jobs)'));
  const queue = new Queue(REPORTS_QUEUE, { connection, prefix: o.prefix });
  queue.on('error', (err) => o.log.warn({ err }, 'report queue error'));
  const waiting = new Map<string, { resolve: (files: string[]) => void; reject: (err: Error) => void }>();
  const worker = new Worker(REPORTS_QUEUE, async (job: Job<{ at?: number }>) => {
    const monday = previousWeek(job.data.at ?? job.timestamp, o.ctx.timezone);
    const districts = await o.ctx.registry.db.query<{ id: string; name: string }>(`SELECT id, name FROM districts WHERE parent_id IS NULL ORDER BY id`);
    const files: string[] = [];
    let sms = 0;
    for (const d of districts) {
      const r = await writeWeeklyReport(o.ctx, d, monday);
      files.push(r.path);
      if (await sendWeeklySummary(o.ctx, d, monday, r.scope, r.stats)) sms++;
    }
    o.log.info({ week: monday, districts: districts.length, sms }, 'weekly reports written');
    return files;
  }, { connection, prefix: o.prefix, concurrency: 1 });
  worker.on('error', (err) => o.log.warn({ err }, 'report worker error'));
  worker.on('completed', (job, files: string[]) => waiting.get(job.id!)?.resolve(files));
  worker.on('failed', (job, err) => {
    o.log.warn({ err, job: job?.id, attempts: job?.attemptsMade }, 'weekly report failed');
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) waiting.get(job.id!)?.reject(err);
  });
  const opts = { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 50, removeOnFail: 50 };
  if (o.cron === 'off') await queue.removeJobScheduler(WEEKLY);
  else await queue.upsertJobScheduler(WEEKLY, { pattern: o.cron, tz: o.ctx.timezone }, { name: WEEKLY, data: {}, opts });
  return {
    async runNow(at) {
      // waits on this process's worker (a test, an operator's command): registered before the job can finish
      const jobId = `${WEEKLY}-now-${randomUUID()}`;
      const done = new Promise<string[]>((resolve, reject) => waiting.set(jobId, { resolve, reject })).finally(() => waiting.delete(jobId));
      await queue.add(WEEKLY, at === undefined ? {} : { at }, { ...opts, attempts: 1, jobId });
      return done;
    },
    async close() {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
