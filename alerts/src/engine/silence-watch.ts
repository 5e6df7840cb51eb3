import type { Redis } from 'ioredis';
import type { AlertsKeys } from '../keys.js';

// Claims due devices atomically: of several workers scanning at once, exactly one gets each silent device.
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('SADD', KEYS[2], m)
end
return due`;

/**
 * Silence state in Redis: a sorted set of deadlines (device → ms) that every message pushes forward (ZADD GT,
 * so a late batch never moves it back), and the set of devices found silent. Survives worker restarts.
 */
export class SilenceWatch {
  constructor(private readonly redis: Redis, private readonly keys: AlertsKeys) {}

  /** Records activity; returns the devices that were silent until now (their alarm clears). */
  async seen(items: { id: string; deadline: number }[]): Promise<string[]> {
    if (!items.length) return [];
    const p = this.redis.pipeline();
    p.zadd(this.keys.silenceDeadlines, 'GT', ...items.flatMap((i) => [i.deadline, i.id]));
    for (const i of items) p.srem(this.keys.silent, i.id);
    const res = (await p.exec()) ?? [];
    const back: string[] = [];
    items.forEach((i, n) => {
      const [err, removed] = res[n + 1] ?? [null, 0];
      if (err) throw err;
      if (Number(removed) === 1) back.push(i.id);
    });
    return back;
  }

  async claimDue(now: number, limit = 200): Promise<string[]> {
    return (await this.redis.eval(CLAIM, 2, this.keys.silenceDeadlines, this.keys.silent, String(now), String(limit))) as string[];
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
