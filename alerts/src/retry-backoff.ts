import type { BackoffOptions, BackoffStrategy } from 'bullmq';

/**
 * How alerts' jobs are retried: doubling from a first delay, but never waiting longer than a cap between two
 * attempts. Plain exponential backoff is wrong for a hazard reminder: after a provider or database outage of a
 * minute, the 7th attempt of a reminder waits 64 s more, the 8th 128 s, so reminders trickle out minutes after
 * the provider is back. Capped, every job queued during an outage is tried again within one cap of its end.
 *
 * BullMQ looks a custom type up in the worker's `settings.backoffStrategy` (builtin types are computed without it),
 * so every worker of alerts' queues must be built with `cappedBackoffStrategy`.
 */
export const CAPPED_BACKOFF = 'capped-exponential';

/** The attempts and backoff of a job that alerts' workers retry: `{ ...retrying(6, 2000), jobId, … }`. */
export function retrying(attempts: number, firstDelayMs: number): { attempts: number; backoff: BackoffOptions } {
  return { attempts, backoff: { type: CAPPED_BACKOFF, delay: firstDelayMs } };
}

/** Share of a delay drawn at random, so jobs failed together by one outage do not all come back in one instant. */
const JITTER = 0.2;

/**
 * The delay before the next attempt: firstDelay × 2^(attemptsMade−1), at most `maxMs`, the last 20 % of it drawn
 * at random. A job of another custom type is a bug (there is none); it waits the cap rather than being lost.
 */
export function cappedBackoffStrategy(maxMs: number, random: () => number = Math.random): BackoffStrategy {
  return (attemptsMade, type, _err, job) => {
    const first = job?.opts.backoff && typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? maxMs) : maxMs;
    const full = type === CAPPED_BACKOFF ? Math.min(maxMs, first * 2 ** Math.max(0, attemptsMade - 1)) : maxMs;
    return Math.round(full * (1 - JITTER + JITTER * random()));
  };
}

/**
 * An escalation stage (or rework notice) job only reads the registry and queues SMS: it fails when PostgreSQL or
 * Redis is away. 10 attempts from 1 s, capped at the default 30 s, ride out about two and a half minutes of that (a restart
 * takes seconds); a stage job that gave up would be a reminder never sent.
 */
export const STAGE_RETRY = retrying(10, 1000);
