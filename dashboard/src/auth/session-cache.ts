import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import type { Session } from './sessions.js';

/** How long a session read from Redis answers the same cookie in this process without asking Redis again. */
export const SESSION_CACHE_MS = 1000;
/** Sessions cached at most (one per cookie used in the last second); more clears the lot. */
const MAX_CACHED = 10_000;

/**
 * The sessions this process read in the last second, so that a browser's burst of requests (a page's list, counters,
 * its live watch) costs one Redis round trip, not one each: the round trip was most of the session check's CPU.
 *
 * Revocation stays immediate across processes (docs/dashboard.md "Sessions"): every end of a session (sign-out,
 * revocation of a user's sessions, expiry seen on read) goes through SessionStore, which publishes the ended hashes on
 * the `sessionsEnded` channel in the same MULTI as the DEL; every dashboard process subscribes and drops them. The
 * cache only answers while that subscription is up: before it is confirmed, and from a lost connection until it is
 * back, every check reads Redis as without a cache (and what was cached is dropped, as its messages may be lost).
 * A read that was under way when an end arrived is not cached (`generation`): its answer may predate the DEL.
 */
export class SessionCache {
  private readonly entries = new Map<string, { session: Session; until: number }>();
  private live = false;
  private generation = 0;

  constructor(
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    sub.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      this.generation++;
      for (const hash of message.split(',')) this.entries.delete(hash);
    });
    const off = () => this.off();
    sub.on('close', off);
    sub.on('reconnecting', off);
    sub.on('error', (err) => log.warn({ err }, 'session cache: subscription error; sessions are read from Redis meanwhile'));
    // ioredis re-subscribes after a reconnect, then emits ready: only then is no end missed any longer
    sub.on('ready', () => void this.confirm());
  }

  /** Subscribes; the cache answers once Redis confirmed the subscription. */
  async start(): Promise<void> {
    await this.confirm();
  }

  async stop(): Promise<void> {
    this.off();
    // never connected (the app closed before it was ready): nothing to quit
    if (this.sub.status === 'wait') this.sub.disconnect();
    else await this.sub.quit().then(() => undefined, () => this.sub.disconnect());
  }

  /** The session cached for that hash, if the cache is live and the session is neither stale here nor past its end. */
  get(hash: string): Session | undefined {
    if (!this.live) return undefined;
    const e = this.entries.get(hash);
    if (!e) return undefined;
    const now = this.now();
    if (e.until <= now || e.session.expiresAt <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.session;
  }

  /** Marks the start of a read from Redis: `put` caches its answer only if no session ended meanwhile. */
  mark(): number {
    return this.generation;
  }

  put(session: Session, mark: number): void {
    if (!this.live || mark !== this.generation) return;
    if (this.entries.size >= MAX_CACHED) this.entries.clear();
    this.entries.set(session.hash, { session, until: this.now() + SESSION_CACHE_MS });
  }

  /** Drops ended sessions here at once (the message on the channel reaches the other processes). */
  drop(hashes: readonly string[]): void {
    this.generation++;
    for (const h of hashes) this.entries.delete(h);
  }

  private off(): void {
    this.live = false;
    this.generation++;
    this.entries.clear();
  }

  private async confirm(): Promise<void> {
    try {
      await this.sub.subscribe(this.channel);
      this.live = true;
    } catch (err) {
      this.off();
      this.log.warn({ err }, 'session cache: cannot subscribe; sessions are read from Redis');
    }
  }
}
