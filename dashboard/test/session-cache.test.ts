import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger } from '@tianwang/core/log';
import { pipelineKeys, type PipelineKeys } from '@tianwang/core/pipeline';
import { startRedis, waitFor, type RedisServer } from '@tianwang/core/testing';
import { SessionCache } from '../src/auth/session-cache.js';
import { SessionStore, type SessionUser } from '../src/auth/sessions.js';

let server: RedisServer;
let seq = 0;
const open: Redis[] = [];
const caches: SessionCache[] = [];
beforeAll(async () => {
  server = await startRedis({ appendonly: false });
});
afterAll(async () => {
  await Promise.all(caches.map((c) => c.stop()));
  for (const r of open) r.disconnect();
  await server?.stop();
});

const user = (id: string): SessionUser => ({ id, username: id, displayName: id, role: 'unit', districtId: null, unitId: 'U1', maintenanceCompanyId: null });

/**
 * A dashboard process as far as sessions go: its own Redis connection, its own cache and subscription. The clock is
 * frozen, so a cached session never goes stale by time during a test: only an end of the session may drop it.
 */
async function processOf(keys: PipelineKeys): Promise<{ store: SessionStore; cache: SessionCache; sub: Redis; redis: Redis }> {
  const redis = new Redis(server.url);
  const sub = new Redis(server.url, { lazyConnect: true });
  open.push(redis, sub);
  const cache = new SessionCache(sub, keys.sessionsEnded, silentLogger(), () => 1_000_000);
  caches.push(cache);
  await cache.start();
  return { store: new SessionStore(redis, keys, 60_000, 3_600_000, () => 1_000_000, cache), cache, sub, redis };
}

/** Two processes on one Redis prefix, and a user signed in through the first whose session the second has cached. */
async function twoProcesses() {
  const keys = pipelineKeys(`sc${process.pid}x${seq++}`);
  const [a, b] = await Promise.all([processOf(keys), processOf(keys)]);
  const u = user(`u${seq}`);
  const signed = await a.store.create(u);
  expect(await b.store.get(signed.id)).toMatchObject({ hash: signed.session.hash, user: { id: u.id } });
  return { keys, a, b, u, signed };
}

describe('session cache: a second of sessions in memory, ended sessions dropped in every process', () => {
  it('answers a session from memory once read (no Redis round trip)', async () => {
    const { keys, b, signed } = await twoProcesses();
    // the key gone behind the store's back (nothing does this but this test): the cache still answers
    await b.redis.del(keys.session(signed.session.hash));
    expect(await b.store.get(signed.id)).toMatchObject({ hash: signed.session.hash });
  });

  it('a sign-out in one process ends the session in the other process cached it, without waiting for the cache to age', async () => {
    const { a, b, u, signed } = await twoProcesses();
    await a.store.destroy(signed.session.hash, u.id);
    // at once in the process that ended it
    expect(await a.store.get(signed.id)).toBeUndefined();
    // in the other as soon as the message arrives (the clock is frozen: the cached copy would answer for ever)
    await waitFor(async () => (await b.store.get(signed.id)) === undefined, { timeoutMs: 2000, what: 'the signed-out session refused by the other process' });
  });

  it("revoking a user's sessions (disabled, password changed) ends them in every process's cache", async () => {
    const { a, b, u, signed } = await twoProcesses();
    const second = await a.store.create(u);
    expect(await b.store.get(second.id)).toBeDefined();
    expect(await a.store.revokeUser(u.id)).toBe(2);
    await waitFor(async () => (await b.store.get(signed.id)) === undefined && (await b.store.get(second.id)) === undefined, { timeoutMs: 2000, what: 'both revoked sessions refused by the other process' });
  });

  it('without its subscription the cache answers nothing: every check reads Redis', async () => {
    const { keys, b, signed } = await twoProcesses();
    b.sub.disconnect();
    await waitFor(() => b.cache.get(signed.session.hash) === undefined, { timeoutMs: 2000, what: 'the cache off once its subscription is lost' });
    await b.redis.del(keys.session(signed.session.hash));
    expect(await b.store.get(signed.id)).toBeUndefined();
  });
});
