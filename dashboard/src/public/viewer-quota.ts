import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';

// drop ended grants, count the rest, add this one if there is room: one script, so two processes never both take the last place
const TAKE = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1`;

/**
 * How many consumers watch one kitchen at once (TW_PUBLIC_VIEWERS_PER_KITCHEN). A place is held for the length of
 * the grant (the signed URL's lifetime, TW_PUBLIC_VIEW_S at most): a viewer who leaves early frees it when the grant
 * would have ended. Counted in Redis, shared by every dashboard process.
 */
export class ViewerQuota {
  constructor(
    private readonly redis: Redis,
    private readonly keys: PipelineKeys,
    private readonly perKitchen: number,
  ) {}

  /** a place until `untilMs`, or false when the kitchen has as many viewers as it takes */
  async take(kitchenId: string, untilMs: number, now = Date.now()): Promise<boolean> {
    const r = await this.redis.eval(TAKE, 1, this.keys.publicViewers(kitchenId), String(now), String(untilMs), String(this.perKitchen), randomUUID());
    return Number(r) === 1;
  }
}
