import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { hashSecret } from '@tianwang/core/crypto';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_HIGH_WATER_MARK } from '../src/write-coalescing.js';
import { memoryDeviceSource, servicePassword, type BrokerService } from '../src/index.js';
import { MASTER, startTestBroker, waitFor } from './helpers.js';
import { gen, ofType, raw, rawPublish, type Raw } from './raw-client.js';

/**
 * The broker's fast paths read and replace fields of aedes' Client and of mqtt-packet's Parser that are not part
 * of either library's API (broker/src: client-state.ts, fast-publish.ts, puback-batching.ts, parser-guards.ts,
 * delivery-rules.ts, message-delivery.ts, fast-delivery.ts, auth.ts, presence.ts, broker.ts, write-coalescing.ts).
 * Both are pinned to exact versions in broker/package.json; this test fails, naming every field, when an upgrade
 * moves, renames or retypes one, before the broker misbehaves in a subtler way.
 */
type Kind = 'function' | 'number' | 'boolean' | 'object' | 'string' | 'null|object' | 'undefined|object' | 'packet id';

const kindOf = (v: unknown): string => (v === null ? 'null' : typeof v);

function check(owner: string, target: unknown, fields: Record<string, [Kind, string]>): string[] {
  const problems: string[] = [];
  for (const [field, [kind, usedBy]] of Object.entries(fields)) {
    const v = (target as Record<string, unknown>)[field];
    const actual = kindOf(v);
    const ok =
      kind === 'packet id' ? Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535
        : kind.includes('|') ? kind.split('|').includes(actual)
          : actual === kind;
    if (!ok) problems.push(`${owner}.${field}: expected ${kind}, got ${actual} (used by ${usedBy})`);
  }
  return problems;
}

const SECRET = '0123456789abcdef0123456789abcdef';
const devices = memoryDeviceSource([{ id: 'EL-0001', kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' }]);

describe('aedes and mqtt-packet internals the broker relies on', () => {
  let redis: RedisServer;
  let broker: BrokerService;
  let port: number;
  let dev: Raw;
  let svc: Raw;
  const aedesClient = (id: string) => (broker.aedes as unknown as { clients: Record<string, Record<string, unknown>> }).clients[id];

  beforeAll(async () => {
    redis = await startRedis();
    ({ broker, port } = await startTestBroker({ redisUrl: redis.url, devices }));
    dev = await raw(port, 'EL-0001', 'EL-0001', SECRET);
    svc = await raw(port, 'svc:ingest:internals', 'svc:ingest', servicePassword(MASTER, 'ingest'), false);
    svc.socket.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'tw/v1/#', qos: 1 }] }));
    await waitFor(() => ofType(svc, 'suback').length === 1, 5000, 'SUBACK');
  });
  afterAll(async () => {
    dev?.socket.destroy();
    svc?.socket.destroy();
    await broker?.stop();
    await redis?.stop();
  });

  it('are the versions pinned exactly in broker/package.json', () => {
    const require = createRequire(import.meta.url);
    /** the package.json of the installed package (aedes exports no ./package.json subpath) */
    const manifest = (resolve: (id: string) => string, name: string) => {
      for (let dir = dirname(resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
        const file = join(dir, 'package.json');
        if (!existsSync(file)) continue;
        const m = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
        if (m.name === name) return { file, version: m.version };
      }
      throw new Error(`no package.json found for ${name}`);
    };
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of ['aedes', 'mqtt-packet']) {
      const pinned = pkg.dependencies[name];
      expect(pinned, `${name} must be pinned to an exact version`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(manifest(require.resolve, name).version, `installed ${name}`).toBe(pinned);
    }
    // aedes parses with the same mqtt-packet (one copy): the parser patched is the one aedes uses
    const fromAedes = createRequire(manifest(require.resolve, 'aedes').file);
    expect(manifest(fromAedes.resolve, 'mqtt-packet').file).toBe(manifest(require.resolve, 'mqtt-packet').file);
  });

  it('an authenticated client has every aedes field the broker reads or replaces, with its shape', () => {
    const client = aedesClient('EL-0001');
    expect(client, 'aedes keeps clients in broker.clients by id (broker.ts, revocation.ts)').toBeDefined();
    const c = client as Record<string, unknown>;
    const problems = check('client', c, {
      _parser: ['object', 'parser-guards.ts, fast-publish.ts, broker.ts preConnect'],
      _parsingBatch: ['number', 'fast-publish.ts, puback-batching.ts: read-ahead count'],
      _nextBatch: ['function', 'fast-publish.ts, puback-batching.ts: reads the next socket chunk'],
      _nextId: ['packet id', 'delivery-rules.ts takePacketId'],
      _keepaliveInterval: ['number', 'fast-publish.ts: keepalive refresh'],
      _keepaliveTimer: ['null|object', 'fast-publish.ts: keepalive refresh'],
      _onError: ['function', 'fast-delivery.ts, message-delivery.ts, puback-batching.ts'],
      _disconnected: ['boolean', 'presence.ts: DISCONNECT received'],
      _will: ['undefined|object', 'auth.ts: will topic check'],
      connackSent: ['boolean', 'fast-publish.ts: fast path only after CONNACK'],
      connecting: ['boolean', 'client-state.ts mayWrite'],
      connected: ['boolean', 'client-state.ts mayWrite'],
      closed: ['boolean', 'fast-publish.ts, puback-batching.ts'],
      errored: ['boolean', 'fast-delivery.ts, message-delivery.ts: write backpressure'],
      clean: ['boolean', 'fast-publish.ts PUBACK, delivery paths'],
      version: ['number', 'fast-publish.ts: MQTT 3.1/3.1.1 only'],
      conn: ['object', 'every write path'],
      subscriptions: ['object', 'delivery-rules.ts grantedQoS'],
      deliver0: ['function', 'replaced at authentication (fast-delivery.ts, message-delivery.ts)'],
      deliverQoS: ['function', 'replaced at authentication (fast-delivery.ts, message-delivery.ts)'],
      waitForDrain: ['function', 'fast-delivery.ts, message-delivery.ts'],
      close: ['function', 'client-state.ts, revocation.ts'],
      emit: ['function', 'message-delivery.ts: errors'],
      broker: ['object', 'fast-publish.ts, delivery paths'],
    });
    problems.push(...check('client.broker', c.broker, {
      maxTopicLevels: ['number', 'fast-publish.ts: topic checks'],
      authorizePublish: ['function', 'fast-publish.ts'],
      authorizeForward: ['function', 'delivery-rules.ts forwardable'],
      publish: ['function', 'fast-publish.ts, publish-tracker.ts'],
      listenerCount: ['function', 'fast-publish.ts: ack event'],
      persistence: ['object', 'message-delivery.ts, offline-queue.ts'],
      clients: ['object', 'broker.ts, revocation.ts'],
    }));
    const persistence = (c.broker as Record<string, unknown> | undefined)?.persistence;
    problems.push(...check('client.broker.persistence', persistence, {
      outgoingUpdate: ['function', 'message-delivery.ts sendQoS'],
      outgoingEnqueueCombi: ['function', 'offline-queue.ts'],
      outgoingStream: ['function', 'aedes emptyQueue (fast-path.test.ts delays it)'],
    }));
    problems.push(...check('client.conn._writableState', (c.conn as Record<string, unknown> | undefined)?._writableState, {
      highWaterMark: ['number', 'write-coalescing.ts deepenWriteBuffer'],
    }));
    expect(problems).toEqual([]);
    // semantics, not only shapes
    expect(c._parsingBatch, 'an idle client has no packet in progress').toBe(0);
    expect((c.conn as { _writableState: { highWaterMark: number } })._writableState.highWaterMark).toBe(WRITE_HIGH_WATER_MARK);
    expect(Object.getPrototypeOf(c.subscriptions), 'the subscription table has no prototype (delivery-rules.ts caches its summary)').toBeNull();
  });

  it('a subscription keeps its granted QoS and captured the delivery function installed at authentication', async () => {
    const client = aedesClient('svc:ingest:internals') as Record<string, unknown>;
    const subs = client.subscriptions as Record<string, { qos?: unknown; func?: unknown } | undefined>;
    expect(Object.keys(subs)).toEqual(['tw/v1/#']);
    expect(subs['tw/v1/#']?.qos).toBe(1);
    expect(typeof subs['tw/v1/#']?.func).toBe('function');
    // deliver0 and deliverQoS are the broker's (one function), so aedes took them from the client when subscribing
    expect(client.deliver0).toBe(client.deliverQoS);
    // and it is the one that delivered: a QoS 1 message arrives with the batched path's QoS and packet id
    dev.socket.write(rawPublish({ topic: 'tw/v1/elevator/EL-0001/telemetry', qos: 1, messageId: 1, payload: '{}' }));
    await waitFor(() => ofType(svc, 'publish').length === 1, 5000, 'delivery');
    expect(ofType(svc, 'publish')[0]).toMatchObject({ qos: 1, dup: false });
  });

  it('the connection\'s mqtt-packet parser has the fields and methods parser-guards.ts and fast-publish.ts use', () => {
    const parser = (aedesClient('EL-0001') as Record<string, unknown>)._parser as Record<string, unknown>;
    const problems = check('parser', parser, {
      client: ['object', 'parser-guards.ts: the client of a refused packet'],
      _list: ['object', 'fast-publish.ts, parser-guards.ts'],
      _stateCounter: ['number', 'fast-publish.ts: parser idle between packets'],
      packet: ['object', 'parser-guards.ts: Remaining Length'],
      settings: ['object', 'broker.ts preConnect keeps only the protocol version'],
      parse: ['function', 'replaced by fast-publish.ts'],
      _parseLength: ['function', 'replaced by parser-guards.ts'],
      _parsePublish: ['function', 'replaced by parser-guards.ts'],
      _emitError: ['function', 'parser-guards.ts: refuse'],
    });
    problems.push(...check('parser._list', parser._list, {
      length: ['number', 'fast-publish.ts'],
      readUInt16BE: ['function', 'parser-guards.ts: topic length'],
      slice: ['function', 'parser-guards.ts: topic bytes'],
    }));
    const proto = Object.getPrototypeOf(mqttPacket.parser()) as Record<string, unknown>;
    problems.push(...check('Parser.prototype', proto, {
      parse: ['function', 'fast-publish.ts calls it for the packets it does not take'],
      _parseLength: ['function', 'parser-guards.ts calls it first'],
      _parsePublish: ['function', 'parser-guards.ts calls it after the topic check'],
    }));
    expect(problems).toEqual([]);
    expect(parser.client).toBe(aedesClient('EL-0001'));
    expect(parser._stateCounter, 'idle between packets').toBe(0);
    expect((parser._list as { length: number }).length, 'nothing buffered between packets').toBe(0);
  });

  it('mqtt-packet calls _parsePublish with the whole packet body in _list from _pos, and _emitError stops the packet', () => {
    const parser = mqttPacket.parser({ protocolVersion: 4 }) as unknown as Record<string, unknown> & { parse(b: Buffer): number; on(e: string, f: (x: unknown) => void): void };
    const seen: number[] = [];
    const original = parser._parsePublish as () => void;
    parser._parsePublish = function (this: { _list: { readUInt16BE(o: number): number; length: number }; _pos: number; packet: { length: number } }) {
      seen.push(this._pos, this._list.readUInt16BE(this._pos), this.packet.length, this._list.length);
      return original.call(this);
    };
    const packets: unknown[] = [];
    parser.on('packet', (p) => packets.push(p));
    const bytes = Buffer.concat([rawPublish({ topic: 'a/b', qos: 1, messageId: 7, payload: 'xy' }), gen({ cmd: 'pingreq' })]);
    parser.parse(bytes);
    // body: 2 + 3 topic bytes + 2 id + 2 payload; the following PINGREQ may be in _list too
    expect(seen.slice(0, 3)).toEqual([0, 3, 9]);
    expect(seen[3]).toBeGreaterThanOrEqual(9);
    expect(packets).toHaveLength(2);

    const refused = mqttPacket.parser({ protocolVersion: 4 }) as unknown as Record<string, unknown> & { parse(b: Buffer): number; on(e: string, f: (x: unknown) => void): void };
    refused._parsePublish = function (this: { _emitError(e: Error): void }) {
      this._emitError(new Error('refused'));
    };
    const refusedPackets: unknown[] = [];
    const errors: unknown[] = [];
    refused.on('packet', (p) => refusedPackets.push(p));
    refused.on('error', (e) => errors.push(e));
    refused.parse(rawPublish({ topic: 'a/b', qos: 0 }));
    expect(errors).toHaveLength(1);
    expect(refusedPackets).toHaveLength(0);
  });
});
