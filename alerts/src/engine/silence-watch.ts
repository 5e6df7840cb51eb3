import type { Redis } from 'ioredis';
import { CONSUMER_GROUPS } from '@tianwang/core/pipeline';
import type { AlertsKeys } from '../keys.js';
import { judgedUntil } from './judged-until.js';

// Claims due devices atomically: of several workers scanning at once, exactly one gets each silent device.
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('SADD', KEYS[2], m)
end
return due`;

// One script per batch: push every deadline forward (GT: never back), and take back the devices that were silent.
// ZADD in slices of 1,000 pairs: Lua's unpack() takes at most ≈ 8,000 values, and a batch read by a group that is
// behind holds many more devices (the soak saw "too many results to unpack" on every retry of one batch).
const SEEN = `
for i = 1, #ARGV, 2000 do
  redis.call('ZADD', KEYS[1], 'GT', unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
local back = {}
if redis.call('SCARD', KEYS[2]) > 0 then
  for i = 2, #ARGV, 2 do
    if redis.call('SREM', KEYS[2], ARGV[i]) == 1 then back[#back + 1] = ARGV[i] end
  end
end
return back`;

const POSTPONE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[1], m) end
return #due`;

/**
 * Silence state in Redis: a sorted set of deadlines (device → ms) that every message pushes forward (ZADD GT,
 * so a late batch never moves it back), and the set of devices found silent. Survives worker restarts.
 */
export class SilenceWatch {
  constructor(private readonly redis: Redis, private readonly keys: AlertsKeys) {}

  /** Records activity; returns the devices that were silent until now (their alarm clears). */
  async seen(items: { id: string; deadline: number }[]): Promise<string[]> {
    if (!items.length) return [];
    return (await this.redis.eval(SEEN, 2, this.keys.silenceDeadlines, this.keys.silent, ...items.flatMap((i) => [String(i.deadline), i.id]))) as string[];
  }

  /** The time up to which alerts has handled the uplink stream (judged-until.ts): deadlines before it are due. */
  judgedUntil(now: number): Promise<number> {
    return judgedUntil(this.redis, this.keys.uplink, CONSUMER_GROUPS.alerts, now);
  }

  async claimDue(now: number, limit = 200): Promise<string[]> {
    return (await this.redis.eval(CLAIM, 2, this.keys.silenceDeadlines, this.keys.silent, String(now), String(limit))) as string[];
  }

  /** Moves every deadline earlier than `until` to `until` (the grace after a start); silent devices stay silent. */
  async postpone(until: number): Promise<number> {
    return (await this.redis.eval(POSTPONE, 1, this.keys.silenceDeadlines, String(until))) as number;
  }

  async forget(id: string): Promise<void> {
    await this.redis.pipeline().zrem(this.keys.silenceDeadlines, id).srem(this.keys.silent, id).exec();
  }

  async silentCount(): Promise<number> {
    return this.redis.scard(this.keys.silent);
  }

  async silentMembers(): Promise<string[]> {
    return this.redis.smembers(this.keys.silent);
  }
}
