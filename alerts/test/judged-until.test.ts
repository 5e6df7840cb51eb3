import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { judgedUntil } from '../src/engine/judged-until.js';

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('judgedUntil: how far a consumer group has handled a stream', () => {
  const NOW = 10_000;
  it('is the clock without a stream or group, the oldest pending entry while one is pending, the last delivered while entries wait', async () => {
    expect(await judgedUntil(redis, 's1', 'g', NOW)).toBe(NOW);
    for (const ms of [1000, 2000, 3000]) await redis.xadd('s1', `${ms}-0`, 'f', 'v');
    await redis.xgroup('CREATE', 's1', 'g', '0');
    // nothing read: nothing judged
    expect(await judgedUntil(redis, 's1', 'g', NOW)).toBe(0);
    // the first read, not acknowledged: everything before it
    await redis.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 1, 'STREAMS', 's1', '>');
    expect(await judgedUntil(redis, 's1', 'g', NOW)).toBe(999);
    // acknowledged, two still waiting to be read
    await redis.xack('s1', 'g', '1000-0');
    expect(await judgedUntil(redis, 's1', 'g', NOW)).toBe(1000);
    // a second consumer holds the rest pending
    await redis.xreadgroup('GROUP', 'g', 'c2', 'COUNT', 10, 'STREAMS', 's1', '>');
    expect(await judgedUntil(redis, 's1', 'g', NOW)).toBe(1999);
    await redis.xack('s1', 'g', '2000-0', '3000-0');
    // caught up: judged until now
    expect(await judgedUntil(redis, 's1', 'g', NOW)).toBe(NOW);
  });
});
