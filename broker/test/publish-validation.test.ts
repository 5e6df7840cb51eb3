import { connect as tcpConnect } from 'node:net';
import { hashSecret } from '@tianwang/core/crypto';
import { pipelineKeys, readUplinkMessages } from '@tianwang/core/pipeline';
import { startRedis, type RedisServer, waitFor } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDeviceSource, servicePassword, type BrokerService } from '../src/index.js';
import { MASTER, metricValue, startTestBroker } from './helpers.js';
import { connectPacket, gen, ofType, raw, rawPublish, type Raw } from './raw-client.js';

/**
 * PUBLISH packets that break an MQTT rule disconnect the client whoever it is, on every path a PUBLISH can take
 * (fast-publish.ts for QoS 0/1 after CONNACK, mqtt-packet for QoS 2 and before CONNACK), and nothing of them
 * is acknowledged, delivered or appended to the uplink stream. Hand-built packets on raw sockets.
 */
const SECRET = '0123456789abcdef0123456789abcdef';
const devices = memoryDeviceSource(['EL-0001', 'EL-0002'].map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })));
const CMD = 'tw/v1/elevator/EL-0001/cmd/';
const cmdTopic = (tail: number[]) => Buffer.concat([Buffer.from(CMD), Buffer.from(tail)]);

/** malformed UTF-8 [MQTT-1.5.3-1] and U+0000 [MQTT-1.5.3-2], as the bytes after `cmd/` */
const BAD_TOPICS: Record<'topic_utf8' | 'topic_null', number[][]> = {
  topic_utf8: [
    [0xff], // never valid in UTF-8
    [0xc0, 0xaf], // overlong '/'
    [0xed, 0xa0, 0x80], // U+D800, a surrogate
    [0xed, 0xbf, 0xbf], // U+DFFF
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0x41, 0xe4, 0xb8], // truncated 3-byte sequence at the end
  ],
  topic_null: [[0x00], [0xe9, 0x87, 0x8d, 0x00]],
};

describe('PUBLISH validation', () => {
  let server: RedisServer;
  let redis: Redis;
  let broker: BrokerService;
  let port: number;
  let key: string;
  let target: Raw;
  let n = 0;

  const dashboard = () => raw(port, `svc:dashboard:v${++n}`, 'svc:dashboard', servicePassword(MASTER, 'dashboard'));
  const delivered = () => ofType(target, 'publish').map((p) => p.topic);
  const streamPayloads = async () => (await readUplinkMessages(redis, key)).filter((e) => e.kind === 'm').map((e) => e.payload);

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    let prefix: string;
    ({ broker, port, prefix } = await startTestBroker({ redisUrl: server.url, devices }));
    key = pipelineKeys(prefix).uplink;
    // a device that would receive any command that got through
    target = await raw(port, 'EL-0001', 'EL-0001', SECRET);
    target.socket.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${CMD}+`, qos: 2 }] }));
    await waitFor(() => ofType(target, 'suback').length === 1, { timeoutMs: 5000, what: 'SUBACK' });
  });
  afterAll(async () => {
    target?.socket.destroy();
    await broker?.stop();
    redis?.disconnect();
    await server?.stop();
  });

  /** sends the bytes and expects the connection closed with no answer at all (no PUBACK, PUBREC) */
  const refused = async (c: Raw, bytes: Buffer, what: string) => {
    c.socket.write(bytes);
    await waitFor(() => c.closed(), { timeoutMs: 5000, what: `disconnect after ${what}` });
    expect(c.packets, what).toEqual([]);
  };

  /** the broker's protocol violations so far under these rules */
  const violations = async (...rules: string[]) => {
    let sum = 0;
    for (const rule of rules) sum += await metricValue(broker, 'tw_mqtt_protocol_violations_total', { rule });
    return sum;
  };

  // each test reads only what it caused: deliveries, stream entries and counters after the marks it takes first
  it('[MQTT-1.5.3-1/2] disconnects a service whose topic is malformed UTF-8, a surrogate or holds U+0000, at QoS 0, 1 and 2; delivers nothing', async () => {
    const [before, violationsBefore] = [delivered().length, await violations('topic_utf8', 'topic_null')];
    let count = 0;
    for (const [rule, tails] of Object.entries(BAD_TOPICS)) {
      for (const tail of tails) {
        for (const qos of [0, 1, 2] as const) {
          await refused(await dashboard(), rawPublish({ topic: cmdTopic(tail), qos, messageId: 7, payload: 'bad' }), `${rule} ${tail.join(',')} at QoS ${qos}`);
          count++;
        }
      }
    }
    // the marker comes after every bad one: had any got through, it would be delivered before it
    const ok = await dashboard();
    ok.socket.write(rawPublish({ topic: `${CMD}marker`, qos: 1, messageId: 1 }));
    await waitFor(() => delivered().includes(`${CMD}marker`), { timeoutMs: 5000, what: 'the marker' });
    expect(delivered().slice(before)).toEqual([`${CMD}marker`]);
    ok.socket.destroy();
    expect((await violations('topic_utf8', 'topic_null')) - violationsBefore).toBe(count);
  });

  it('[MQTT-2.3.1-1] packet id 0 at QoS 1 and 2, [MQTT-3.3.1-2] DUP at QoS 0: the device is disconnected, nothing reaches the uplink stream', async () => {
    const telemetry = 'tw/v1/elevator/EL-0002/telemetry';
    const [before, idZero, dup] = [(await streamPayloads()).length, await violations('packet_id_zero'), await violations('qos0_dup')];
    const cases = [
      { packet: rawPublish({ topic: telemetry, qos: 1, messageId: 0, payload: '{"id0":1}' }), rule: 'packet_id_zero' },
      { packet: rawPublish({ topic: telemetry, qos: 2, messageId: 0, payload: '{"id0":2}' }), rule: 'packet_id_zero' },
      { packet: rawPublish({ topic: telemetry, qos: 0, dup: true, payload: '{"dup":0}' }), rule: 'qos0_dup' },
    ];
    for (const { packet, rule } of cases) await refused(await raw(port, 'EL-0002', 'EL-0002', SECRET), packet, rule);
    const dev = await raw(port, 'EL-0002', 'EL-0002', SECRET);
    // the same packets with the rule kept are accepted: DUP at QoS 1 is a retransmission
    dev.socket.write(Buffer.concat([
      rawPublish({ topic: telemetry, qos: 1, messageId: 1, dup: true, payload: '{"ok":1}' }),
      rawPublish({ topic: telemetry, qos: 0, payload: '{"ok":0}' }),
    ]));
    await waitFor(async () => (await streamPayloads()).length === before + 2, { timeoutMs: 5000, what: 'the valid publishes' });
    expect((await streamPayloads()).slice(before)).toEqual(['{"ok":1}', '{"ok":0}']);
    expect(dev.closed()).toBe(false);
    dev.socket.destroy();
    expect((await violations('packet_id_zero')) - idZero).toBe(2);
    expect((await violations('qos0_dup')) - dup).toBe(1);
  });

  it('a bad topic split byte by byte, or in the same TCP chunk as CONNECT (before CONNACK), is refused too', async () => {
    const before = delivered().length;
    const split = await dashboard();
    const bytes = rawPublish({ topic: cmdTopic([0xed, 0xa0, 0x80]), qos: 1, messageId: 3, payload: 'split' });
    for (let o = 0; o < bytes.length; o++) {
      split.socket.write(bytes.subarray(o, o + 1));
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => split.closed(), { timeoutMs: 5000, what: 'disconnect after the split packet' });
    expect(ofType(split, 'puback')).toEqual([]);

    const early = tcpConnect(port, '127.0.0.1');
    early.on('error', () => {});
    const closed = new Promise<void>((resolve) => early.once('close', () => resolve()));
    const answers: Buffer[] = [];
    early.on('data', (b: Buffer) => answers.push(b));
    early.write(Buffer.concat([
      connectPacket(`svc:dashboard:v${++n}`, 'svc:dashboard', servicePassword(MASTER, 'dashboard')),
      rawPublish({ topic: cmdTopic([0x00]), qos: 1, messageId: 4, payload: 'early' }),
    ]));
    await closed;
    // no PUBACK (0x40) in whatever came back
    expect(Buffer.concat(answers).includes(Buffer.from([0x40, 2, 0, 4]))).toBe(false);

    const ok = await dashboard();
    ok.socket.write(rawPublish({ topic: `${CMD}marker2`, qos: 1, messageId: 1 }));
    await waitFor(() => delivered().includes(`${CMD}marker2`), { timeoutMs: 5000, what: 'the marker' });
    expect(delivered().slice(before)).toEqual([`${CMD}marker2`]);
    ok.socket.destroy();
  });

  it('valid non-ASCII topics pass: CJK, U+FFFD itself, an emoji, a byte order mark', async () => {
    const tails = ['重启', '\uFFFD', '😀', '\uFEFFx'];
    const before = delivered().length;
    const pub = await dashboard();
    pub.socket.write(Buffer.concat(tails.map((t, i) => rawPublish({ topic: `${CMD}${t}`, qos: 1, messageId: i + 1, payload: t }))));
    await waitFor(() => delivered().length === before + tails.length, { timeoutMs: 5000, what: 'deliveries' });
    expect(delivered().slice(before)).toEqual(tails.map((t) => `${CMD}${t}`));
    expect(pub.closed()).toBe(false);
    pub.socket.destroy();
  });
});
