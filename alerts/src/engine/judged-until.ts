import type { Redis } from 'ioredis';
import { compareIds, parseStreamId, readGroups } from '@tianwang/core/pipeline';

/**
 * How far a consumer group has judged a stream, as a time (ms): every entry added before it has been read and
 * acknowledged by the group. `now` when the group is caught up.
 *
 * Silence deadlines are compared with this instead of the clock. A message pushes its device's deadline forward
 * only once the group has handled it; while the group is behind (a burst, a worker that died with entries pending
 * until they are claimed, a saturated machine) those messages wait in the stream, and judging by the clock would call
 * every device of the backlog silent: the soak saw 201 silence alarms for 200 reporting terminals, and their SMS.
 * An entry's id is the time it was added, a few ms after its messages' receive times, which the deadlines are
 * counted from: the bound errs late by those ms, never early.
 */
export async function judgedUntil(redis: Redis, stream: string, group: string, now: number): Promise<number> {
  const [groups, newest] = await Promise.all([readGroups(redis, stream).catch(() => undefined), redis.xrevrange(stream, '+', '-', 'COUNT', 1)]);
  const g = groups?.find((x) => x.name === group);
  if (!g) return now; // no stream or group yet: nothing is waiting
  // a pending entry (delivered, not acknowledged) is not judged yet, nor anything after it
  if (g.pending > 0 && g.lowestPendingId) return Math.min(now, parseStreamId(g.lowestPendingId)[0] - 1);
  // entries after the last delivered one are still to be read
  const last = newest[0]?.[0];
  return last && compareIds(last, g.lastDeliveredId) > 0 ? Math.min(now, parseStreamId(g.lastDeliveredId)[0]) : now;
}
