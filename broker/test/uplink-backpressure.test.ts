/**
 * The broker's backpressure counts the messages the uplink stream holds exactly. The case that broke the estimate
 * (entries × mean messages per entry of recent writes) in the 20-minute soak: a stream holding many small entries
 * (a quiet fleet, a lagging group within its retention) when a burst arrives in full entries of 64.
 */
import { silentLogger } from '@tianwang/core/log';
import { decodeUplinkEntries, encodeUplinkBatches, type UplinkMessage } from '@tianwang/core/pipeline';
import { startRedis, waitFor, type RedisServer } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerMetrics } from '../src/metrics.js';
import { APPEND_SCRIPT, appendScriptArgs } from '../src/uplink/append-script.js';
import { PipelineWriter } from '../src/uplink/pipeline-writer.js';

const message = (i: number): UplinkMessage => ({
  topic: `tw/v1/elevator/EL-${i % 500}/telemetry`,
  payload: `{"floor":${i % 30}}`,
  receivedAt: Date.now(),
  clientId: `EL-${i % 500}`,
  kind: 'm',
});

/** `entries` stream entries of one message each, as the broker writes them when the fleet is quiet. */
async function smallEntries(redis: Redis, key: string, entries: number): Promise<void> {
  for (let i = 0; i < entries; i += 1000) {
    const pipe = redis.pipeline();
    for (let j = i; j < Math.min(entries, i + 1000); j++) pipe.eval(APPEND_SCRIPT, 1, key, ...appendScriptArgs(encodeUplinkBatches([message(j)])));
    await pipe.exec();
  }
}

/** The id of the stream's nth entry (1-based): `XTRIM MINID` to it keeps it and everything after. */
async function nthId(redis: Redis, key: string, nth: number): Promise<string> {
  const rows = await redis.xrange(key, '-', '+', 'COUNT', nth);
  return rows[nth - 1]![0];
}

/** The messages the stream holds, counted by decoding every entry. */
async function messagesIn(redis: Redis, key: string): Promise<number> {
  let n = 0;
  let start = '-';
  for (;;) {
    const rows = await redis.xrangeBuffer(key, start, '+', 'COUNT', 5000);
    for (const [, fields] of rows) n += decodeUplinkEntries(fields).length;
    if (rows.length < 5000) return n;
    start = `(${rows[rows.length - 1]![0].toString()}`;
  }
}

describe('uplink backpressure counts messages exactly', () => {
  let server: RedisServer;
  let redis: Redis;
  let writer: PipelineWriter | undefined;
  let writerRedis: Redis | undefined;
  let metrics: ReturnType<typeof createBrokerMetrics>;
  let n = 0;
  const newKey = () => `bp:${++n}:uplink`;
  const gauge = async (g: { get(): Promise<{ values: { value: number }[] }> }) => (await g.get()).values[0]?.value;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterEach(async () => {
    await writer?.close(500);
    writerRedis?.disconnect();
    writer = undefined;
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  function startWriter(key: string, maxLen: number): PipelineWriter {
    metrics = createBrokerMetrics(new Registry());
    writerRedis = new Redis(server.url);
    writer = new PipelineWriter({ redis: writerRedis, key, maxLen, maxBuffered: 100_000, log: silentLogger(), metrics });
    return writer;
  }

  /** Appends `count` QoS 1 messages and resolves when every one is acknowledged (in Redis). */
  function burst(w: PipelineWriter, count: number): Promise<void> {
    let acked = 0;
    return new Promise((resolve, reject) => {
      for (let i = 0; i < count; i++)
        w.append(message(i), 1, (err) => {
          if (err) reject(err);
          else if (++acked === count) resolve();
        });
    });
  }

  it('a burst of full entries after 30,000 one-message entries is not mistaken for a backlog', async () => {
    const key = newKey();
    await smallEntries(redis, key, 30_000);
    const w = startWriter(key, 100_000);
    // 20,000 messages arrive at once: batches of 2,000, entries of 64. The stream then holds 50,000 messages in
    // 30,313 entries; the old estimate (entries × ≈ 64) read over a million and held every publish.
    const acked = burst(w, 20_000);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the burst was held back (false backpressure)')), 10_000)));
    await Promise.race([acked, late]).finally(() => clearTimeout(timer));
    expect(w.backpressure).toBe(false);
    expect(await gauge(metrics.backpressure)).toBe(0);
    expect(await messagesIn(redis, key)).toBe(50_000);
    expect(await gauge(metrics.uplinkLength)).toBe(50_000);
  });

  it('the count stays exact after the trimmer removes the oldest entries', async () => {
    const key = newKey();
    await smallEntries(redis, key, 2000);
    const w = startWriter(key, 100_000);
    await burst(w, 3000);
    // trim (exactly, not "~") to the 1,001st entry, as ingest's trimmer does once its groups have handled them
    await redis.xtrim(key, 'MINID', await nthId(redis, key, 1001));
    await burst(w, 1);
    expect(await messagesIn(redis, key)).toBe(5001 - 1000);
    expect(await gauge(metrics.uplinkLength)).toBe(5001 - 1000);
  });

  it('holds publishes while the stream truly holds more than its maximum, and resumes at 90 %', async () => {
    const key = newKey();
    await smallEntries(redis, key, 1200);
    const w = startWriter(key, 1000);
    await burst(w, 1); // 1,201 messages: over the maximum
    expect(w.backpressure).toBe(true);
    let held = true;
    void burst(w, 10).then(() => (held = false));
    await new Promise((r) => setTimeout(r, 600)); // two polls: still over, still held
    expect(held).toBe(true);
    // the consumers catch up: the trimmer leaves 900 messages (90 %)
    await redis.xtrim(key, 'MINID', await nthId(redis, key, 302));
    expect(await messagesIn(redis, key)).toBe(900);
    await waitFor(() => !held, { timeoutMs: 5000, what: 'publishes resumed' });
    expect(w.backpressure).toBe(false);
    expect(await messagesIn(redis, key)).toBe(910);
  });

  it('counts entries without a running total (an older broker during a rolling upgrade) one message each', async () => {
    const key = newKey();
    for (let i = 0; i < 5; i++) await redis.xadd(key, '*', 'v', '2', 'n', '3', 'b', Buffer.alloc(0));
    const w = startWriter(key, 100_000);
    await burst(w, 64);
    // 5 old entries (counted as 1 each: a lower bound) + 1 new entry
    expect(await gauge(metrics.uplinkLength)).toBe(6);
  });
});
