/**
 * Trims the uplink stream below what every consumer group has finished with.
 *
 * Policy, for each existing group: it still needs everything from its lowest pending id (delivered, not yet
 * acknowledged), or, with nothing pending, everything after its last-delivered id. The stream is trimmed
 * (XTRIM MINID) to the lowest of those points, with two rules so that no group can block forever or lose
 * ingest's data:
 *   - a group that does not exist (yet) holds nothing back: a consumer created later starts from what is left;
 *   - a group other than ingest that lags by more than `retainMs` (alerts down for a long time) stops holding
 *     the stream back beyond that age, so Redis memory stays bounded; ingest's own unwritten entries are never
 *     trimmed, whatever their age, because ingest's loss-free guarantee depends on them.
 * Any number of workers may run this concurrently: trimming is idempotent.
 */
import type { Redis } from 'ioredis';
import { compareIds, oldestNeeded, readGroups, type GroupState } from '@tianwang/core/pipeline';

const minId = (a: string, b: string) => (compareIds(a, b) <= 0 ? a : b);
const maxId = (a: string, b: string) => (compareIds(a, b) >= 0 ? a : b);

/** The id below which the stream may be trimmed, or undefined when nothing may be. Pure, for tests. */
export function trimPoint(groups: GroupState[], ownGroup: string, now: number, retainMs: number): string | undefined {
  let point: string | undefined;
  const floor = `${Math.max(0, now - retainMs)}-0`;
  for (const g of groups) {
    let needs = oldestNeeded(g);
    if (g.name !== ownGroup) needs = maxId(needs, floor);
    point = point === undefined ? needs : minId(point, needs);
  }
  if (point === undefined || point === '0-0') return undefined;
  return point;
}

/**
 * Drops store by exception's decision records (keys.ingestDecisions) of entries the group has acknowledged: they
 * go with the acknowledgement, so only a record whose HDEL was lost (a worker died between the two) is left.
 */
async function dropAcknowledgedRecords(redis: Redis, records: string, own: GroupState): Promise<void> {
  if (!(await redis.hlen(records))) return;
  const ids = await redis.hkeys(records);
  const done = ids.filter((id) => (own.pending > 0 && own.lowestPendingId ? compareIds(id, own.lowestPendingId) < 0 : compareIds(id, own.lastDeliveredId) <= 0));
  for (let i = 0; i < done.length; i += 1000) await redis.hdel(records, ...done.slice(i, i + 1000));
}

/** One trim pass; returns the number of entries removed. `records`: store by exception's decision records. */
export async function trimStream(redis: Redis, stream: string, ownGroup: string, retainMs: number, now = Date.now(), records?: string): Promise<number> {
  const groups = await readGroups(redis, stream);
  // Without ingest's own group nothing is known to be written: keep everything.
  const own = groups.find((g) => g.name === ownGroup);
  if (!own) return 0;
  if (records) await dropAcknowledgedRecords(redis, records, own);
  const point = trimPoint(groups, ownGroup, now, retainMs);
  if (!point) return 0;
  // "~": Redis removes whole nodes below the point only (never an entry at or above it), which is far cheaper.
  return (await redis.xtrim(stream, 'MINID', '~', point)) as number;
}
