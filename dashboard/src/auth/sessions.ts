import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { Role, User } from '@tianwang/core/registry';
import type { SessionCache } from './session-cache.js';

/** The signed-in user as the session remembers it (a role or scope change revokes the user's sessions). */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  districtId: string | null;
  unitId: string | null;
  maintenanceCompanyId: string | null;
}

export interface Session {
  /** SHA-256 (hex) of the session id: the Redis key's name and the handle for revocation */
  hash: string;
  user: SessionUser;
  csrf: string;
  createdAt: number;
  /** absolute end (ms): the session ends then however active it is */
  expiresAt: number;
}

export const sessionUser = (u: User): SessionUser => ({
  id: u.id, username: u.username, displayName: u.displayName, role: u.role,
  districtId: u.districtId, unitId: u.unitId, maintenanceCompanyId: u.maintenanceCompanyId ?? null,
});

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');
// 32 random bytes, base64url: 43 characters
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Server-side sessions in Redis. The cookie carries a random id; Redis stores the session under the SHA-256 of
 * that id, so a copy of Redis holds nothing a browser could present. Every use pushes the idle expiry forward
 * (GETEX … PX, one round trip) but never past the absolute end, which is checked on read as well. With a cache
 * (session-cache.ts), a cookie seen in the last second is answered from memory, and every end of a session is
 * published on `sessionsEnded` for every process's cache to drop it.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: PipelineKeys,
    private readonly idleMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
    private readonly cache?: SessionCache,
  ) {}

  /** A new session for the user; answers the cookie value (shown once, never stored) and the session. */
  async create(user: SessionUser): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const session: Session = { hash: hashOf(id), user, csrf: randomBytes(24).toString('base64url'), createdAt, expiresAt: createdAt + this.maxMs };
    const setKey = this.keys.userSessions(user.id);
    await this.pruneUserSet(user.id);
    await this.redis
      .multi()
      .set(this.keys.session(session.hash), JSON.stringify({ user, csrf: session.csrf, createdAt, expiresAt: session.expiresAt }), 'PX', Math.min(this.idleMs, this.maxMs))
      .sadd(setKey, session.hash)
      // the set lives as long as its youngest session can
      .pexpire(setKey, this.maxMs)
      .exec();
    return { id, session };
  }

  /** The session of a cookie value, refreshed; undefined when unknown, idle too long or past its absolute end. */
  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id || !ID_SHAPE.test(id)) return undefined;
    const hash = hashOf(id);
    const hit = this.cache?.get(hash);
    if (hit) return hit;
    const mark = this.cache?.mark() ?? 0;
    const session = await this.getByHash(hash, true);
    if (session) this.cache?.put(session, mark);
    return session;
  }

  /** The session under a hash; `touch` pushes the idle expiry forward. */
  async getByHash(hash: string, touch = false): Promise<Session | undefined> {
    const key = this.keys.session(hash);
    const raw = touch ? await this.redis.getex(key, 'PX', this.idleMs) : await this.redis.get(key);
    if (!raw) return undefined;
    let stored: Omit<Session, 'hash'>;
    try {
      stored = JSON.parse(raw) as Omit<Session, 'hash'>;
    } catch {
      await this.end([hash]);
      return undefined;
    }
    const now = this.now();
    if (stored.expiresAt <= now) {
      await this.end([hash]);
      return undefined;
    }
    // within the last idle period before the absolute end, the key must not outlive that end
    if (touch && stored.expiresAt - now < this.idleMs) await this.redis.pexpireat(key, stored.expiresAt);
    return { hash, ...stored };
  }

  async destroy(hash: string, userId: string): Promise<void> {
    this.cache?.drop([hash]);
    await this.redis.multi().del(this.keys.session(hash)).srem(this.keys.userSessions(userId), hash).publish(this.keys.sessionsEnded, hash).exec();
  }

  /** Ends every session of a user (disabled, password changed, role or scope changed). Answers how many. */
  async revokeUser(userId: string): Promise<number> {
    const setKey = this.keys.userSessions(userId);
    const hashes = await this.redis.smembers(setKey);
    if (!hashes.length) return 0;
    this.cache?.drop(hashes);
    // the DEL and the message in one MULTI: no process can read the sessions back after the message is out
    const results = await this.redis.multi().del(...hashes.map((h) => this.keys.session(h))).del(setKey).publish(this.keys.sessionsEnded, hashes.join(',')).exec();
    return Number(results?.[0]?.[1] ?? 0);
  }

  /** Ends sessions found unusable on read (past their absolute end, unreadable): here, in Redis and in every cache. */
  private async end(hashes: string[]): Promise<void> {
    this.cache?.drop(hashes);
    await this.redis.multi().del(...hashes.map((h) => this.keys.session(h))).publish(this.keys.sessionsEnded, hashes.join(',')).exec();
  }

  /** Drops hashes of sessions that expired by themselves, so a user's set does not grow with every sign-in. */
  private async pruneUserSet(userId: string): Promise<void> {
    const setKey = this.keys.userSessions(userId);
    const hashes = await this.redis.smembers(setKey);
    if (!hashes.length) return;
    const pipe = this.redis.pipeline();
    for (const h of hashes) pipe.exists(this.keys.session(h));
    const results = (await pipe.exec()) ?? [];
    const gone = hashes.filter((_, i) => results[i]?.[1] === 0);
    if (gone.length) await this.redis.srem(setKey, ...gone);
  }
}
