import type { Redis } from 'ioredis';

const msOf = (id: string) => Number(id.slice(0, id.indexOf('-')));
const after = (a: string, b: string) => {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && as > bs);
};

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
  const res = await redis.pipeline().xpending(stream, group).xinfo('GROUPS', stream).xrevrange(stream, '+', '-', 'COUNT', 1).exec();
  if (!res || res.some(([err]) => err)) return now; // no stream or group yet: nothing is waiting
  const [pending, groups, last] = res.map(([, v]) => v) as [[number, string | null, string | null, unknown], unknown[][], [string, string[]][]];
  let until = now;
  // delivered to a consumer and not acknowledged: not judged yet (the oldest bounds everything after it)
  if (pending[0] > 0 && pending[1]) until = Math.min(until, msOf(pending[1]) - 1);
  // not delivered yet: entries after the group's last-delivered id
  const info = groups.find((g) => g[g.indexOf('name') + 1] === group);
  const delivered = info ? String(info[info.indexOf('last-delivered-id') + 1]) : '0-0';
  const newest = last[0]?.[0];
  if (newest && after(newest, delivered)) until = Math.min(until, msOf(delivered));
  return until;
}
