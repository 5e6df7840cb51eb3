import type { Redis } from 'ioredis';

/** A Redis stream entry id `ms-seq` as numbers (a bare `ms` has seq 0). */
export type StreamId = [ms: number, seq: number];

export function parseStreamId(id: string): StreamId {
  const dash = id.indexOf('-');
  return dash < 0 ? [Number(id) || 0, 0] : [Number(id.slice(0, dash)) || 0, Number(id.slice(dash + 1)) || 0];
}

/** Orders stream ids: negative when a is older than b, 0 when equal, positive when newer. */
export function compareIds(a: string, b: string): number {
  const [am, as] = parseStreamId(a);
  const [bm, bs] = parseStreamId(b);
  return am - bm || as - bs;
}

/** What a consumer group has handled of a stream (XINFO GROUPS, and XPENDING's summary when entries are pending). */
export interface GroupState {
  name: string;
  lastDeliveredId: string;
  pending: number;
  lowestPendingId?: string;
}

export async function readGroups(redis: Redis, stream: string): Promise<GroupState[]> {
  const raw = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const groups: GroupState[] = [];
  for (const row of raw) {
    const f: Record<string, unknown> = {};
    for (let i = 0; i + 1 < row.length; i += 2) f[String(row[i])] = row[i + 1];
    const g: GroupState = { name: String(f.name), lastDeliveredId: String(f['last-delivered-id'] ?? '0-0'), pending: Number(f.pending ?? 0) };
    if (g.pending > 0) {
      const summary = (await redis.xpending(stream, g.name)) as [number, string | null, string | null, unknown];
      if (summary[1]) g.lowestPendingId = summary[1];
    }
    groups.push(g);
  }
  return groups;
}

/**
 * The oldest entry a group still needs: its lowest pending entry (delivered, not acknowledged) while it has one,
 * else its last delivered one (everything after it is still to be read). Every entry before it is handled.
 */
export const oldestNeeded = (g: GroupState): string => (g.pending > 0 && g.lowestPendingId ? g.lowestPendingId : g.lastDeliveredId);
