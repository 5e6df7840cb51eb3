import type { Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';

export interface ThrottleLimits {
  windowMs: number;
  /** failures of one account within the window before it is throttled */
  perAccount: number;
  /** failures from one client address within the window before it is throttled */
  perAddress: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; by: 'account' | 'address'; retryAfterS: number };

/**
 * Sign-in throttling with counters in Redis, so every dashboard process counts the same failures. A counter
 * starts its window at the first failure (PEXPIRE … NX) and ends with it: a fixed window, simple to explain
 * ("wait 15 minutes"). An account's counter is cleared by a successful sign-in, an address's is not: one
 * address guessing at many accounts stays throttled. A throttled request is refused before the password is
 * checked, so guesses made meanwhile cost nothing and reveal nothing.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keys: PipelineKeys,
    private readonly limits: ThrottleLimits,
  ) {}

  private accountKey = (username: string) => this.keys.loginFailures('account', username.trim().toLowerCase());
  private addressKey = (address: string) => this.keys.loginFailures('address', address);

  async check(username: string, address: string): Promise<ThrottleVerdict> {
    const a = this.accountKey(username);
    const b = this.addressKey(address);
    const r = (await this.redis.multi().get(a).pttl(a).get(b).pttl(b).exec()) ?? [];
    const value = (i: number) => Number(r[i]?.[1] ?? 0);
    const retry = (ttl: number) => Math.max(1, Math.ceil((ttl > 0 ? ttl : this.limits.windowMs) / 1000));
    if (value(0) >= this.limits.perAccount) return { ok: false, by: 'account', retryAfterS: retry(value(1)) };
    if (value(2) >= this.limits.perAddress) return { ok: false, by: 'address', retryAfterS: retry(value(3)) };
    return { ok: true };
  }

  async fail(username: string, address: string): Promise<void> {
    const a = this.accountKey(username);
    const b = this.addressKey(address);
    const w = this.limits.windowMs;
    await this.redis.multi().incr(a).pexpire(a, w, 'NX').incr(b).pexpire(b, w, 'NX').exec();
  }

  async succeed(username: string): Promise<void> {
    await this.redis.del(this.accountKey(username));
  }
}
