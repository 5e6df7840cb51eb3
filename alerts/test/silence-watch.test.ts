import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { SilenceWatch } from '../src/engine/silence-watch.js';
import { alertsKeys } from '../src/keys.js';

// Found by the soak: after a Redis restart the alerts group was minutes behind, read batches holding more than
// ≈ 4,000 devices, and SilenceWatch.seen() failed on every retry with "too many results to unpack" (Lua's unpack of
// ARGV is limited to ≈ 8,000 values): the same batch forever, no alarm raised for 7 minutes.
describe('SilenceWatch with a large batch', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('records the deadlines of 10,000 devices seen in one batch and gives back the silent ones', async () => {
    const keys = alertsKeys('silence-big');
    const watch = new SilenceWatch(client, keys);
    await client.sadd(keys.silent, 'D-00007', 'D-09999');
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: `D-${String(i).padStart(5, '0')}`, deadline: 1_000_000 + i }));
    const back = await watch.seen(items);
    expect(back.sort()).toEqual(['D-00007', 'D-09999']);
    expect(await client.zcard(keys.silenceDeadlines)).toBe(10_000);
    expect(Number(await client.zscore(keys.silenceDeadlines, 'D-09999'))).toBe(1_009_999);
    // GT: a later, older batch never moves a deadline back
    await watch.seen([{ id: 'D-09999', deadline: 5 }]);
    expect(Number(await client.zscore(keys.silenceDeadlines, 'D-09999'))).toBe(1_009_999);
  });
});
