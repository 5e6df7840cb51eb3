import type { Redis } from 'ioredis';
import type { AlertsKeys } from '../keys.js';

// Take the recipient's slot if free (value = end of the window), else answer when the current window ends.
const ACQUIRE = `
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if ok then return 0 end
return tonumber(redis.call('GET', KEYS[1]) or '0')`;
// Everything held for a recipient, taken at once so two flushes cannot both send it.
const DRAIN = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return ids`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Per-recipient rate limit that merges instead of dropping: at most one SMS per phone per window; what arrives
 * meanwhile is held and sent as one digest when the window ends (a delayed flush job per window).
 */
export class RecipientRateLimit {
  constructor(private readonly redis: Redis, private readonly keys: AlertsKeys, private readonly windowMs: number) {}

  /** 0 when the slot was taken now (its window ends at `now + windowMs`), else the end of the busy window (ms). */
  async acquire(phone: string, now = Date.now()): Promise<{ ok: true; until: number } | { ok: false; until: number }> {
    const until = now + this.windowMs;
    const r = Number(await this.redis.eval(ACQUIRE, 1, this.keys.rateSlot(phone), String(until), String(this.windowMs)));
    return r === 0 ? { ok: true, until } : { ok: false, until: r || now + this.windowMs };
  }

  /** Gives the slot back after a send that certainly failed, so the retry is not held against itself. */
  async release(phone: string, until: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.rateSlot(phone), String(until));
  }

  async hold(phone: string, ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.redis.zadd(this.keys.held(phone), ...ids.flatMap((id) => [id, String(id)]));
  }

  async drain(phone: string): Promise<number[]> {
    const ids = (await this.redis.eval(DRAIN, 1, this.keys.held(phone))) as string[];
    return ids.map(Number);
  }
}
