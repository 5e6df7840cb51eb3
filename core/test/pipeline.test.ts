import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSUMER_GROUPS, UPLINK_BATCH_MAX_BYTES, UPLINK_BATCH_MAX_MESSAGES, decodeUplinkEntries, decodeUplinkEntry, encodeUplinkBatch, encodeUplinkBatches,
  encodeUplinkEntry, pipelineKeys, readUplinkMessages, uplinkBatchFields, type UplinkEntry,
} from '@tianwang/core/pipeline';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { telemetryTopic } from '@tianwang/core/topics';

const entry: UplinkEntry = {
  topic: telemetryTopic('elevator', '31103101002019070001'),
  payload: JSON.stringify({ ts: 1_750_000_000_000, floor: 3, note: '困人 | a=b, "q"' }),
  receivedAt: 1_750_000_000_123,
  clientId: '31103101002019070001',
  kind: 'm',
};

describe('pipeline keys', () => {
  it('every key lives under the prefix, and no two collide', () => {
    const keys = pipelineKeys('t42');
    const names = Object.values(keys).map((value) => (typeof value === 'function' ? value('EL-1') : value) as string);
    for (const name of names) expect(name.startsWith('t42:')).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(keys.shadow('EL-1')).not.toBe(keys.shadow('EL-2'));
    expect(pipelineKeys().uplink).toBe('tw:uplink');
  });

  it('two prefixes share no key', () => {
    const a = Object.values(pipelineKeys('a')).map((v) => (typeof v === 'function' ? v('x') : v));
    const b = new Set(Object.values(pipelineKeys('b')).map((v) => (typeof v === 'function' ? v('x') : v)));
    expect(a.filter((k) => b.has(k))).toEqual([]);
  });

  it('names the consumer groups', () => {
    expect(CONSUMER_GROUPS).toEqual({ ingest: 'ingest', alerts: 'alerts' });
  });
});

describe('uplink batch entries (format 2)', () => {
  const many = (n: number): UplinkEntry[] =>
    Array.from({ length: n }, (_, i) => ({ ...entry, payload: i % 3 === 0 ? '' : `{"i":${i},"s":"电梯 ✓ 🚀"}`, receivedAt: entry.receivedAt + i, kind: (['m', 'o', 'x'] as const)[i % 3]! }));

  it('round-trips messages in order, incl. non-ASCII and empty payloads, Buffer or string payloads', () => {
    const list = many(10);
    expect(decodeUplinkEntries(encodeUplinkBatch(list))).toEqual(list);
    const asBuffers = list.map((e) => ({ ...e, payload: Buffer.from(e.payload) }));
    expect(decodeUplinkEntries(encodeUplinkBatch(asBuffers))).toEqual(list);
    expect(decodeUplinkEntries(encodeUplinkBatch([{ ...entry, topic: '', clientId: '' }]))).toEqual([{ ...entry, topic: '', clientId: '' }]);
    expect(decodeUplinkEntries(encodeUplinkBatch([]))).toEqual([]);
  });

  it('splits at the message and byte limits; a message larger than the byte limit gets an entry of its own', () => {
    const list = many(UPLINK_BATCH_MAX_MESSAGES * 2 + 5);
    const entries = encodeUplinkBatches(list);
    expect(entries.map((e) => e.count)).toEqual([UPLINK_BATCH_MAX_MESSAGES, UPLINK_BATCH_MAX_MESSAGES, 5]);
    expect(entries.flatMap((e) => decodeUplinkEntries(uplinkBatchFields(e)))).toEqual(list);

    const big = { ...entry, payload: 'é'.repeat(UPLINK_BATCH_MAX_BYTES) }; // 128 KiB of UTF-8
    const mixed = [entry, big, entry, entry];
    const parts = encodeUplinkBatches(mixed);
    expect(parts.map((e) => e.count)).toEqual([1, 1, 2]);
    for (const p of parts) if (p.count > 1) expect(p.data.length).toBeLessThanOrEqual(UPLINK_BATCH_MAX_BYTES);
    expect(parts.flatMap((e) => decodeUplinkEntries(uplinkBatchFields(e)))).toEqual(mixed);
    const kib = many(2000).map((e) => ({ ...e, payload: 'x'.repeat(1000) }));
    for (const p of encodeUplinkBatches(kib)) expect(p.data.length).toBeLessThanOrEqual(UPLINK_BATCH_MAX_BYTES);
  });

  it('still reads format-1 entries, as one message', () => {
    expect(decodeUplinkEntries(encodeUplinkEntry(entry))).toEqual([entry]);
    expect(decodeUplinkEntries(encodeUplinkEntry(entry).map((f) => Buffer.from(f)))).toEqual([entry]);
    expect(decodeUplinkEntries(['p', 'x'])).toEqual([undefined]);
  });

  it('a damaged batch entry yields what it can and undefined for the rest, never throws', () => {
    const fields = encodeUplinkBatch(many(3));
    const data = fields[5] as Buffer;
    const cut = [...fields.slice(0, 5), data.subarray(0, data.length - 3)];
    const out = decodeUplinkEntries(cut);
    expect(out).toHaveLength(3);
    expect(out.slice(0, 2)).toEqual(many(3).slice(0, 2));
    expect(out[2]).toBeUndefined();
    expect(decodeUplinkEntries(['v', '3', 'n', '1', 'b', Buffer.alloc(0)])).toEqual([undefined]);
    expect(decodeUplinkEntries(['v', '2', 'n', 'x', 'b', Buffer.alloc(0)])).toEqual([undefined]);
    expect(decodeUplinkEntries(['v', '2', 'n', '2', 'b', Buffer.alloc(3)])).toEqual([undefined, undefined]);
  });
});

describe('uplink entries', () => {
  it('encode → decode is the identity for every kind', () => {
    for (const kind of ['m', 'o', 'x'] as const) {
      const e = { ...entry, kind, payload: kind === 'x' ? 'keepalive timeout' : entry.payload };
      expect(decodeUplinkEntry(encodeUplinkEntry(e))).toEqual(e);
    }
    expect(decodeUplinkEntry(encodeUplinkEntry({ ...entry, payload: '' }))).toEqual({ ...entry, payload: '' });
  });

  it('ignores fields it does not know, wherever they are', () => {
    const fields = ['zz', 'junk', ...encodeUplinkEntry(entry), 'extra', '1'];
    expect(decodeUplinkEntry(fields)).toEqual(entry);
  });

  it('a dangling field name without value is ignored', () => {
    expect(decodeUplinkEntry([...encodeUplinkEntry(entry), 'p'])).toEqual(entry);
  });

  it('an unknown kind reads as a message', () => {
    const fields = encodeUplinkEntry(entry);
    fields[fields.indexOf('k') + 1] = 'q';
    expect(decodeUplinkEntry(fields)?.kind).toBe('m');
  });

  it('refuses entries that are not ours', () => {
    expect(decodeUplinkEntry([])).toBeUndefined();
    expect(decodeUplinkEntry(['p', 'x', 'r', '1'])).toBeUndefined();
    expect(decodeUplinkEntry(['t', entry.topic, 'r', 'yesterday'])).toBeUndefined();
  });

  it('missing optional fields get neutral values', () => {
    expect(decodeUplinkEntry(['t', entry.topic])).toEqual({ topic: entry.topic, payload: '', receivedAt: 0, clientId: '', kind: 'm' });
  });

  describe('through a real Redis stream', () => {
    let redis: RedisServer;
    let client: Redis;
    const keys = pipelineKeys(`t${process.pid}`);
    beforeAll(async () => {
      redis = await startRedis({ appendonly: false });
      client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      client.on('error', () => {});
    });
    afterAll(async () => {
      client?.disconnect();
      await redis?.stop();
    });

    it('XADD of the encoded fields reads back equal (XRANGE and XREADGROUP)', async () => {
      const entries = [entry, { ...entry, kind: 'o' as const, payload: '' }, { ...entry, kind: 'x' as const, payload: 'lwt' }];
      for (const e of entries) await client.xadd(keys.uplink, '*', ...encodeUplinkEntry(e));
      const range = await client.xrange(keys.uplink, '-', '+');
      expect(range.map(([, fields]) => decodeUplinkEntry(fields))).toEqual(entries);

      await client.xgroup('CREATE', keys.uplink, CONSUMER_GROUPS.ingest, '0');
      const read = (await client.xreadgroup('GROUP', CONSUMER_GROUPS.ingest, 'c1', 'COUNT', 10, 'STREAMS', keys.uplink, '>')) as [string, [string, string[]][]][];
      expect(read[0]![1].map(([, fields]) => decodeUplinkEntry(fields))).toEqual(entries);
    });

    it('batch entries read back through XRANGE as Buffers, mixed with format-1 entries (readUplinkMessages)', async () => {
      const key = `${keys.uplink}:mixed`;
      const list = Array.from({ length: 70 }, (_, i) => ({ ...entry, payload: `{"i":${i},"n":"困人"}`, receivedAt: entry.receivedAt + i }));
      await client.xadd(key, '*', ...encodeUplinkEntry(list[0]!));
      for (const b of encodeUplinkBatches(list.slice(1, 69))) await client.xadd(key, '*', ...uplinkBatchFields(b));
      await client.xadd(key, '*', ...encodeUplinkEntry(list[69]!));
      expect(await client.xlen(key)).toBe(4); // 1 + 64 + 4 + 1
      const read = await readUplinkMessages(client, key);
      expect(read.map(({ id: _id, index: _index, ...e }) => e)).toEqual(list);
      expect(read.map((m) => m.index)).toEqual([0, ...Array.from({ length: 64 }, (_, i) => i), 0, 1, 2, 3, 0]);
    });
  });
});
