import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { StreamConsumer } from '../src/stream-consumer.js';
import { freshPrefix } from './helpers.js';

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis({ appendonly: false });
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('StreamConsumer.anyIdleConsumer (gates the XAUTOCLAIM scan)', () => {
  it('is true only once a consumer holding pending entries has been idle for the limit', async () => {
    const stream = `${freshPrefix()}:uplink`;
    const dead = new StreamConsumer(redis, redis, { stream, group: 'ingest', consumer: 'dead' });
    const live = new StreamConsumer(redis, redis, { stream, group: 'ingest', consumer: 'live' });
    await dead.ensureGroup();
    for (let i = 0; i < 3; i++) await redis.xadd(stream, '*', 't', 'x', 'p', String(i));
    expect(await dead.read(10, 10)).toHaveLength(3); // now pending on "dead", which then stops
    expect(await live.read(10, 10)).toHaveLength(0); // "live" holds nothing

    expect(await live.anyIdleConsumer(60_000)).toBe(false);
    await sleep(300);
    expect(await live.anyIdleConsumer(250)).toBe(true);

    // once the entries are taken over, the dead consumer holds nothing and no scan is needed
    const taken = await live.claimIdle(250, '0-0', 10);
    expect(taken.entries).toHaveLength(3);
    await live.ack(taken.entries.map(([id]) => id));
    await sleep(300);
    expect(await live.anyIdleConsumer(250)).toBe(false);
  });
});
