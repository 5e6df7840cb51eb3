import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS, decodeUplinkEntry, encodeUplinkEntry, pipelineKeys, type UplinkEntry } from '@tianwang/core/pipeline';
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
  });
});
