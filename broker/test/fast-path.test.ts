import { Readable } from 'node:stream';
import { pipelineKeys, readUplinkMessages } from '@tianwang/core/pipeline';
import { hashSecret } from '@tianwang/core/crypto';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDeviceSource, servicePassword, type BrokerService } from '../src/index.js';
import { MASTER, startTestBroker, waitFor } from './helpers.js';
import { gen, ofType, publishPacket, raw } from './raw-client.js';

/**
 * The broker's own inbound path (fast-publish.ts), its batched PUBACKs (puback-batching.ts) and its batched QoS 1
 * delivery (fast-delivery.ts), driven with raw sockets so the test controls how packets fall into TCP chunks.
 */
const SECRET = '0123456789abcdef0123456789abcdef';
const IDS = ['EL-0001', 'EL-0002', 'EL-0003', 'EL-0004', 'EL-0005', 'EL-0006'];
const devices = memoryDeviceSource(IDS.map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })));
const telemetry = (id: string) => `tw/v1/elevator/${id}/telemetry`;

describe('fast publish path, batched PUBACKs, batched QoS 1 delivery', () => {
  let server: RedisServer;
  let redis: Redis;
  let broker: BrokerService;
  let port: number;
  let key: string;
  let prefix: string;

  const streamPayloads = async (clientId: string) => {
    return (await readUplinkMessages(redis, key)).filter((e) => e.clientId === clientId && e.kind === 'm').map((e) => e.payload);
  };

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    // no rate limit here: these devices send hundreds of messages at once
    ({ broker, port, prefix } = await startTestBroker({ redisUrl: server.url, devices, env: { TW_MQTT_PUBLISH_RATE: '1000000' } }));
    key = pipelineKeys(prefix).uplink;
  });
  afterAll(async () => {
    await broker?.stop();
    redis?.disconnect();
    await server?.stop();
  });

  it('QoS 1 PUBACKs of one socket chunk come only after Redis has the messages, in the order sent', async () => {
    const dev = await raw(port, 'EL-0001', 'EL-0001', SECRET);
    const n = 300;
    const chunk = Buffer.concat(Array.from({ length: n }, (_, i) => publishPacket(telemetry('EL-0001'), `{"seq":${i}}`, 1, i + 1)));
    // freeze Redis: no XADD can complete, so no PUBACK may come
    server.child.kill('SIGSTOP');
    try {
      dev.socket.write(chunk);
      await new Promise((r) => setTimeout(r, 700));
      expect(ofType(dev, 'puback')).toHaveLength(0);
    } finally {
      server.child.kill('SIGCONT');
    }
    await waitFor(() => ofType(dev, 'puback').length === n, 10_000, 'all PUBACKs');
    expect(ofType(dev, 'puback').map((p) => p.messageId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await streamPayloads('EL-0001')).toEqual(Array.from({ length: n }, (_, i) => `{"seq":${i}}`));
    dev.socket.destroy();
  });

  it('a PUBLISH sent right after CONNACK, while aedes still reads the session queue, gets its PUBACK', async () => {
    // aedes sends CONNACK, resumes reading the socket, and only then reads the session's queued messages from
    // Redis before it marks the client connected: here that read takes 500 ms, so the PUBLISH lands in between
    const persistence = (broker.aedes as unknown as { persistence: { outgoingStream: (c: unknown) => Readable } }).persistence;
    const original = persistence.outgoingStream;
    persistence.outgoingStream = (client: unknown) => {
      const queued = original.call(persistence, client);
      return Readable.from((async function* () {
        await new Promise((r) => setTimeout(r, 500));
        yield* queued;
      })());
    };
    try {
      const dev = await raw(port, 'EL-0006', 'EL-0006', SECRET);
      const t0 = Date.now();
      dev.socket.write(publishPacket(telemetry('EL-0006'), '{"seq":1}', 1, 42));
      await waitFor(() => ofType(dev, 'puback').length === 1, 3000, 'the PUBACK');
      expect(ofType(dev, 'puback')[0]?.messageId).toBe(42);
      // it came before the session read finished, as aedes' own PUBACK would have
      expect(Date.now() - t0).toBeLessThan(450);
      expect(await streamPayloads('EL-0006')).toEqual(['{"seq":1}']);
      dev.socket.destroy();
    } finally {
      persistence.outgoingStream = original;
    }
  });

  it('packets split at any byte and mixed with other packet types are all handled, PUBLISHes in order', async () => {
    const dev = await raw(port, 'EL-0002', 'EL-0002', SECRET);
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      parts.push(publishPacket(telemetry('EL-0002'), `{"seq":${i},"pad":"${'x'.repeat(i * 7)}"}`, (i % 3 === 0 ? 0 : 1) as 0 | 1, i + 1));
      if (i === 10) parts.push(gen({ cmd: 'pingreq' }));
      if (i === 20) parts.push(gen({ cmd: 'subscribe', messageId: 777, subscriptions: [{ topic: 'tw/v1/elevator/EL-0002/cmd/+', qos: 1 }] }));
    }
    const bytes = Buffer.concat(parts);
    // odd slice sizes, each in its own TCP write: packets (and their Remaining Length bytes) split everywhere
    for (let o = 0, k = 0; o < bytes.length; k++) {
      const size = [1, 2, 3, 5, 7, 11, 13, 64][k % 8] as number;
      dev.socket.write(bytes.subarray(o, o + size));
      o += size;
      if (k % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    const qos1 = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 3 !== 0);
    await waitFor(() => ofType(dev, 'puback').length === qos1.length && ofType(dev, 'suback').length === 1, 5000, 'PUBACKs and SUBACK');
    expect(ofType(dev, 'puback').map((p) => p.messageId)).toEqual(qos1.map((i) => i + 1));
    expect(ofType(dev, 'pingresp')).toHaveLength(1);
    expect(ofType(dev, 'suback')[0]).toMatchObject({ messageId: 777, granted: [1] });
    await waitFor(async () => (await streamPayloads('EL-0002')).length === 40, 5000, 'stream entries');
    expect((await streamPayloads('EL-0002')).map((p) => JSON.parse(p as string).seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(dev.closed()).toBe(false);
    dev.socket.destroy();
  });

  it('PUBACKs keep the order of the PUBLISHes when a later one finishes first (retained ones wait for Redis) [MQTT-4.6.0-2]', async () => {
    const dev = await raw(port, 'EL-0004', 'EL-0004', SECRET);
    const n = 60;
    const status = 'tw/v1/elevator/EL-0004/status';
    dev.socket.write(Buffer.concat(Array.from({ length: n }, (_, i) =>
      i % 4 === 0
        ? gen({ cmd: 'publish', topic: status, payload: `{"s":${i}}`, qos: 1, retain: true, dup: false, messageId: i + 1 })
        : publishPacket(telemetry('EL-0004'), `{"seq":${i}}`, 1, i + 1))));
    await waitFor(() => ofType(dev, 'puback').length === n, 5000, 'PUBACKs');
    expect(ofType(dev, 'puback').map((p) => p.messageId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    dev.socket.destroy();
  });

  it('a QoS 1 PUBACK comes only once the message is in an offline persistent session\'s queue in Redis', async () => {
    const subId = 'svc:dashboard:offline';
    const sub = await raw(port, subId, 'svc:dashboard', servicePassword(MASTER, 'dashboard'), false);
    sub.socket.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'tw/v1/+/+/event', qos: 1 }] }));
    await waitFor(() => ofType(sub, 'suback').length === 1, 5000, 'SUBACK');
    sub.socket.end(gen({ cmd: 'disconnect' }));
    await waitFor(() => sub.closed(), 5000, 'subscriber offline');
    const dev = await raw(port, 'EL-0001', 'EL-0001', SECRET);
    const queue = `${prefix}:mqtt:outgoing:${encodeURIComponent(subId)}`;
    const n = 20;
    // whenever PUBACKs arrive, their messages must already be queued for the offline session: the queue
    // length read afterwards is at least the number acknowledged so far (nobody drains it meanwhile)
    const checks: Promise<[number, number]>[] = [];
    dev.socket.on('data', () => {
      const acked = ofType(dev, 'puback').length;
      checks.push(redis.llen(queue).then((len) => [acked, len]));
    });
    // cut the broker's persistence connection (not the uplink one): it reconnects after ~50 ms, so the queue
    // writes come well after the XADDs, and a PUBACK sent before them would be seen here
    const clients = (await redis.client('LIST')) as string;
    const persistenceId = /id=(\d+) .*name=tw-broker-persistence /.exec(clients)?.[1];
    expect(persistenceId).toBeDefined();
    await redis.client('KILL', 'ID', persistenceId as string);
    dev.socket.write(Buffer.concat(Array.from({ length: n }, (_, i) => publishPacket('tw/v1/elevator/EL-0001/event', `{"e":${i}}`, 1, i + 1))));
    await waitFor(() => ofType(dev, 'puback').length === n, 5000, 'PUBACKs');
    expect(await redis.llen(queue)).toBe(n);
    const seen = await Promise.all(checks);
    expect(seen.length).toBeGreaterThan(0);
    for (const [acked, len] of seen) expect(len).toBeGreaterThanOrEqual(acked);
    dev.socket.destroy();
  });

  it('a refused PUBLISH disconnects without PUBACK, and nothing after it in the chunk is handled', async () => {
    const dev = await raw(port, 'EL-0003', 'EL-0003', SECRET);
    dev.socket.write(Buffer.concat([
      publishPacket(telemetry('EL-0003'), '{"ok":1}', 1, 1),
      publishPacket(telemetry('EL-0004'), '{"foreign":1}', 1, 2),
      publishPacket(telemetry('EL-0003'), '{"after":1}', 1, 3),
    ]));
    await waitFor(() => dev.closed(), 5000, 'disconnect');
    expect(ofType(dev, 'puback').map((p) => p.messageId)).not.toContain(2);
    expect(ofType(dev, 'puback').map((p) => p.messageId)).not.toContain(3);
    const all = (await readUplinkMessages(redis, key)).map((e) => e.payload);
    expect(all).not.toContain('{"foreign":1}');
    expect(all).not.toContain('{"after":1}');
  });

  it('a clean service subscriber gets QoS 1 in order with distinct non-zero packet ids; its PUBACKs keep the session healthy', async () => {
    const sub = await raw(port, 'svc:ingest:fast', 'svc:ingest', servicePassword(MASTER, 'ingest'));
    sub.socket.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'tw/v1/+/+/telemetry', qos: 1 }] }));
    await waitFor(() => ofType(sub, 'suback').length === 1, 5000, 'SUBACK');
    // acknowledge everything as it comes, like a real subscriber
    const acked = new Set<number>();
    const ack = setInterval(() => {
      for (const p of ofType(sub, 'publish')) {
        if (p.messageId !== undefined && !acked.has(p.messageId)) {
          acked.add(p.messageId);
          sub.socket.write(gen({ cmd: 'puback', messageId: p.messageId }));
        }
      }
    }, 5);
    const dev = await raw(port, 'EL-0005', 'EL-0005', SECRET);
    const n = 500;
    dev.socket.write(Buffer.concat(Array.from({ length: n }, (_, i) => publishPacket(telemetry('EL-0005'), `{"seq":${i}}`, 1, (i % 65535) + 1))));
    await waitFor(() => ofType(sub, 'publish').length === n && ofType(dev, 'puback').length === n, 10_000, 'deliveries');
    clearInterval(ack);
    const got = ofType(sub, 'publish');
    expect(got.map((p) => p.payload?.toString())).toEqual(Array.from({ length: n }, (_, i) => `{"seq":${i}}`));
    expect(got.every((p) => p.qos === 1 && p.dup === false && p.retain === false)).toBe(true);
    const ids = got.map((p) => p.messageId as number);
    expect(new Set(ids).size).toBe(n);
    expect(ids.every((id) => id >= 1 && id <= 65535)).toBe(true);
    // still served after acknowledging everything
    sub.socket.write(gen({ cmd: 'pingreq' }));
    await waitFor(() => ofType(sub, 'pingresp').length === 1, 5000, 'PINGRESP');
    expect(sub.closed()).toBe(false);
    sub.socket.destroy();
    dev.socket.destroy();
  });
});
