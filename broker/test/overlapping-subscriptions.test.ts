import { hashSecret } from '@tianwang/core/crypto';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDeviceSource, servicePassword, type BrokerService } from '../src/index.js';
import { MASTER, startTestBroker, waitFor } from './helpers.js';
import { autoAck, gen, ofType, raw, rawPublish, type Raw } from './raw-client.js';

/**
 * [MQTT-3.3.5-1]: a message matched by several subscriptions of one client is delivered once, at the highest QoS
 * granted among them (never above the QoS it was published with [MQTT-3.8.4-6]), on every delivery path: the
 * batched one of clean service sessions (fast-delivery.ts), the per-message one of devices and persistent
 * sessions, and the queue of an offline persistent session. Raw sockets, so the test sees every packet.
 */
const SECRET = '0123456789abcdef0123456789abcdef';
const devices = memoryDeviceSource(['EL-0001', 'EL-0002'].map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })));
const TELEMETRY = 'tw/v1/elevator/EL-0001/telemetry';
const CMD = 'tw/v1/elevator/EL-0002/cmd/';

describe('overlapping subscriptions', () => {
  let server: RedisServer;
  let redis: Redis;
  let broker: BrokerService;
  let port: number;
  let prefix: string;
  let dev: Raw;
  let dash: Raw;
  let seq = 0;
  let n = 0;

  const service = (account: 'ingest' | 'dashboard', clean = true, clientId = `svc:${account}:o${++n}`) => raw(port, clientId, `svc:${account}`, servicePassword(MASTER, account), clean);
  const subscribe = async (c: Raw, topic: string, qos: 0 | 1 | 2) => {
    const before = ofType(c, 'suback').length;
    c.socket.write(gen({ cmd: 'subscribe', messageId: 100 + before, subscriptions: [{ topic, qos }] }));
    await waitFor(() => ofType(c, 'suback').length === before + 1, 5000, 'SUBACK');
    expect(ofType(c, 'suback').at(-1)?.granted).toEqual([qos]);
  };
  const got = (c: Raw, payload: string) => ofType(c, 'publish').filter((p) => p.payload?.toString() === payload);

  /**
   * Publishes through `from` and returns the QoS of each copy `to` received: waits for the first copy, then for
   * a marker published after it. Copies of one message go out in the same delivery round, before the marker.
   */
  const deliveries = async (from: Raw, topic: string, qos: 0 | 1 | 2, to: Raw[], markerTopic: string) => {
    const payload = `m${++seq}`;
    from.socket.write(rawPublish({ topic, qos, messageId: seq, payload }));
    await waitFor(() => to.every((c) => got(c, payload).length > 0), 5000, `delivery of ${payload}`);
    const marker = `marker${seq}`;
    from.socket.write(rawPublish({ topic: markerTopic, qos: 0, payload: marker }));
    await waitFor(() => to.every((c) => got(c, marker).length > 0), 5000, 'the marker');
    return to.map((c) => got(c, payload).map((p) => p.qos));
  };

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    ({ broker, port, prefix } = await startTestBroker({ redisUrl: server.url, devices }));
    dev = await raw(port, 'EL-0001', 'EL-0001', SECRET);
    dash = await service('dashboard');
  });
  afterAll(async () => {
    dev?.socket.destroy();
    dash?.socket.destroy();
    await broker?.stop();
    redis?.disconnect();
    await server?.stop();
  });

  it('a clean service session (batched delivery) gets the message once at the highest granted QoS, whichever subscription came first', async () => {
    const exactFirst = await service('ingest');
    await subscribe(exactFirst, TELEMETRY, 0);
    await subscribe(exactFirst, 'tw/v1/#', 2);
    const wildFirst = await service('ingest');
    await subscribe(wildFirst, 'tw/v1/#', 2);
    await subscribe(wildFirst, TELEMETRY, 0);
    for (const qos of [0, 1, 2] as const) {
      expect(await deliveries(dev, TELEMETRY, qos, [exactFirst, wildFirst], TELEMETRY), `published at QoS ${qos}`).toEqual([[qos], [qos]]);
    }
    // one wildcard subscription at QoS 1: a QoS 2 message comes at QoS 1 [MQTT-3.8.4-6]
    const qos1 = await service('ingest');
    await subscribe(qos1, 'tw/v1/+/+/telemetry', 1);
    expect(await deliveries(dev, TELEMETRY, 2, [qos1], TELEMETRY)).toEqual([[1]]);
    for (const c of [exactFirst, wildFirst, qos1]) c.socket.destroy();
  });

  it('a device (per-message delivery) gets a command matched by cmd/+ and by its exact topic once, at the highest granted QoS', async () => {
    const target = await raw(port, 'EL-0002', 'EL-0002', SECRET);
    await subscribe(target, `${CMD}+`, 2);
    await subscribe(target, `${CMD}reset`, 0);
    for (const qos of [0, 1, 2] as const) {
      expect(await deliveries(dash, `${CMD}reset`, qos, [target], `${CMD}marker`), `published at QoS ${qos}`).toEqual([[qos]]);
    }
    target.socket.destroy();
  });

  it('a persistent session gets it once at the highest granted QoS, live and from its offline queue', async () => {
    const clientId = 'svc:dashboard:persistent';
    const queue = `${prefix}:mqtt:outgoing:${encodeURIComponent(clientId)}`;
    let sub = await service('dashboard', false, clientId);
    autoAck(sub);
    await subscribe(sub, TELEMETRY, 1);
    await subscribe(sub, 'tw/v1/+/+/telemetry', 2);
    expect(await deliveries(dev, TELEMETRY, 2, [sub], TELEMETRY)).toEqual([[2]]);
    expect(await deliveries(dev, TELEMETRY, 1, [sub], TELEMETRY)).toEqual([[1]]);

    sub.socket.end(gen({ cmd: 'disconnect' }));
    await waitFor(() => sub.closed(), 5000, 'subscriber offline');
    // (the persistence leaves a completed QoS 2 message's key in the list until the next reconnect)
    const before = new Set(await redis.lrange(queue, 0, -1));
    const payload = 'queued';
    dev.socket.write(rawPublish({ topic: TELEMETRY, qos: 1, messageId: 9000, payload }));
    const queued = async () => (await redis.lrange(queue, 0, -1)).filter((k) => !before.has(k));
    await waitFor(async () => (await queued()).length > 0, 5000, 'the queued message');
    // queued once, not once per matching subscription: the persistence writes the number of queue entries it is
    // about to make together with the message, before the first of them
    const [entry] = await queued();
    expect(await redis.get(`${prefix}:mqtt:${entry}:offlineCount`)).toBe('1');

    const ready = new Promise<void>((resolve) => {
      const onReady = (c: { id: string }) => {
        if (c.id !== clientId) return;
        broker.aedes?.off('clientReady', onReady);
        resolve();
      };
      broker.aedes?.on('clientReady', onReady);
    });
    sub = await service('dashboard', false, clientId);
    // the queue is written out before the session is ready; a marker sent after that comes after all of it
    await ready;
    dev.socket.write(rawPublish({ topic: TELEMETRY, qos: 0, payload: 'after' }));
    await waitFor(() => got(sub, 'after').length === 1, 5000, 'the marker');
    expect(got(sub, payload).map((p) => p.qos)).toEqual([1]);
    sub.socket.destroy();
  });

  it('a QoS 1 message followed by a QoS 0 one in the same TCP chunk reaches every subscriber (both kinds of delivery)', async () => {
    // the QoS 1 message is routed after the QoS 0 one (it waits for the persistence first); a duplicate filter
    // that drops anything older than the last message seen from the broker lost it
    const target = await raw(port, 'EL-0002', 'EL-0002', SECRET);
    await subscribe(target, `${CMD}+`, 1);
    const all = await service('ingest');
    await subscribe(all, 'tw/v1/#', 1);
    dash.socket.write(Buffer.concat([
      rawPublish({ topic: `${CMD}first`, qos: 1, messageId: 1, payload: 'first' }),
      rawPublish({ topic: `${CMD}second`, qos: 0, payload: 'second' }),
    ]));
    for (const c of [target, all]) {
      await waitFor(() => got(c, 'first').length + got(c, 'second').length === 2, 5000, 'both commands');
    }
    target.socket.destroy();
    all.socket.destroy();
  });
});
