import type { Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';

/**
 * Requests per client address per minute for the pages anyone may open (public kitchen pages, QR codes, the list,
 * published draws, the live-view grant): a fixed one-minute window counted in Redis, so every dashboard process
 * counts the same requests. Cached answers never reach us, so the limit bites only on what costs a query.
 */
export class AddressLimit {
  constructor(
    private readonly redis: Redis,
    private readonly keys: PipelineKeys,
    private readonly perMinute: number,
  ) {}

  /** counts the request; the seconds to wait when the address is over its limit, else 0 */
  async hit(address: string, now = Date.now()): Promise<number> {
    const minute = Math.floor(now / 60_000);
    const key = this.keys.publicHits(address, minute);
    const r = await this.redis.multi().incr(key).pexpire(key, 61_000, 'NX').exec();
    const n = Number(r?.[0]?.[1] ?? 0);
    return n > this.perMinute ? Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) : 0;
  }
}
