import mqttPacket from 'mqtt-packet';
import type { TwClient } from './client-state.js';
import { queuePuback } from './puback-batching.js';

/**
 * A lighter inbound path for the two packets that dominate a fleet's traffic: PUBLISH at QoS 0 or 1 from a
 * connected client, and PUBACK from a clean-session subscriber. For each such packet aedes runs mqtt-packet's
 * state machine (a BufferList copy, a Packet object, ten `debug()` calls), then `handle` → `handlePublish` →
 * `runSeries` → a PubAck object written in its own stream write after a setImmediate. Here the socket chunk is
 * read directly and each complete packet goes straight to the same steps aedes would take:
 *
 * - PUBLISH: aedes' topic checks (not empty, no wildcard [MQTT-3.3.2-2], level limit) → the broker's
 *   `authorizePublish` (ACL, rate limit, and the uplink XADD, whose callback runs only once Redis confirmed
 *   it) → `broker.publish` (retained store, persistent sessions' queues, routing) → for QoS 1 the PUBACK
 *   [MQTT-4.3.2-2], queued and written with the other PUBACKs of this event-loop turn in one write, in the order
 *   the publishes completed (which is the order received: the uplink batches and the routing keep it).
 *   The PUBACK comes after the publish finished, so an acknowledged message is in the uplink stream *and* in
 *   every offline persistent session's queue (aedes acknowledges before the latter).
 * - PUBACK from a clean session: aedes looks the message up in the persistence (a clean session stores
 *   nothing, [MQTT-3.1.2-6]) and emits `ack`; here only the `ack` event remains, when someone listens.
 *
 * Everything else (CONNECT, SUBSCRIBE, QoS 2, MQTT 5, a packet split across chunks, a malformed or oversized
 * header) goes to mqtt-packet's parser unchanged, from the first byte this path does not take. Packets are
 * handed on in wire order, and each one counts in aedes' `_parsingBatch` like a parsed packet, so the next
 * socket chunk is read only when all of this chunk's packets are done (the broker's backpressure).
 *
 * One shared function on the parser, state on the client: no closure per connection.
 */
type Parser = TwClient['_parser'] & { client: FastClient; _list: { length: number }; _stateCounter: number; error: unknown; _twMax?: number; _twRest?: Buffer | undefined };
type Done = (err?: Error | null) => void;
export type FastClient = TwClient & {
  connackSent: boolean;
  connected: boolean;
  version: number | null;
  _parsingBatch: number;
  _nextBatch: Done;
  _keepaliveInterval: number;
  _keepaliveTimer: { refresh(): void } | null;
  broker: {
    maxTopicLevels: number;
    authorizePublish(client: TwClient, packet: InboundPublish, cb: Done): void;
    publish(packet: InboundPublish, client: TwClient, done: Done): void;
    listenerCount(event: string): number;
    emit(event: string, ...args: unknown[]): boolean;
  };
};

export interface InboundPublish {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
  dup: boolean;
  messageId: number | undefined;
  length: number;
}

const parse = (Object.getPrototypeOf(mqttPacket.parser()) as { parse: (this: Parser, buf: Buffer) => number }).parse;

function fastParse(this: Parser, input: Buffer): number {
  const client = this.client;
  let buf = input;
  if (this._twRest) {
    buf = Buffer.concat([this._twRest, input]);
    this._twRest = undefined;
  }
  if (this._list.length > 0 || this._stateCounter !== 0 || this.error || !client.connackSent || client.closed || (client.version !== 4 && client.version !== 3)) {
    return parse.call(this, buf);
  }
  const max = this._twMax ?? Infinity;
  const n = buf.length;
  let o = 0;
  let took = 0;
  let incomplete = false;
  while (o < n && !client.closed) {
    const first = buf[o] as number;
    const type = first >> 4;
    const end = packetEnd(buf, o, max);
    if (end === INCOMPLETE) {
      incomplete = true;
      break;
    }
    if (end === MALFORMED || (type !== 3 && type !== 4)) break;
    const i = end - lengthOf(buf, o);
    const len = end - i;
    if (type === 3) {
      const qos = (first >> 1) & 3;
      if (qos > 1 || len < 2) break;
      const topicLength = buf.readUInt16BE(i);
      const header = 2 + topicLength + (qos === 1 ? 2 : 0);
      if (header > len) break;
      const packet: InboundPublish = {
        cmd: 'publish',
        topic: buf.toString('utf8', i + 2, i + 2 + topicLength),
        payload: buf.subarray(i + header, end),
        qos: qos as 0 | 1,
        retain: (first & 1) === 1,
        dup: (first & 8) === 8,
        messageId: qos === 1 ? buf.readUInt16BE(i + 2 + topicLength) : undefined,
        length: len,
      };
      publish(client, packet);
    } else {
      // PUBACK: fixed header 0x40 and a two-byte packet identifier; only a clean session's is handled here
      if (first !== 0x40 || len !== 2 || !client.clean) break;
      const b = client.broker;
      if (b.listenerCount('ack') > 0) b.emit('ack', undefined, client);
    }
    o = end;
    took++;
  }
  if (took > 0 && client._keepaliveInterval > 0) client._keepaliveTimer?.refresh();
  if (client.closed) return 0;
  // a packet split across socket chunks waits here for the rest (a copy: not the whole chunk kept alive)
  if (incomplete) {
    this._twRest = Buffer.from(buf.subarray(o));
    return 0;
  }
  if (o >= n) return 0;
  // the first packet this path does not take, and every complete one after it, go to mqtt-packet in order;
  // a split tail stays here, so mqtt-packet's state is empty again when the next chunk comes
  let end = o;
  for (;;) {
    const e = packetEnd(buf, end, max);
    if (e === MALFORMED) {
      end = n;
      break;
    }
    if (e === INCOMPLETE) break;
    end = e;
    if (end >= n) break;
  }
  if (end < n) this._twRest = Buffer.from(buf.subarray(end));
  return parse.call(this, buf.subarray(o, end));
}

const INCOMPLETE = -1;
const MALFORMED = -2;

/** End of the packet starting at `o`: INCOMPLETE if not all here, MALFORMED for a bad or oversized length. */
function packetEnd(buf: Buffer, o: number, max: number): number {
  const n = buf.length;
  let len = 0;
  let mul = 1;
  let i = o + 1;
  // Remaining Length: at most four bytes [MQTT-2.2.3]
  for (let k = 0; k < 4; k++) {
    if (i >= n) return INCOMPLETE;
    const b = buf[i++] as number;
    len += (b & 127) * mul;
    mul *= 128;
    if ((b & 128) === 0) {
      if (len > max) return MALFORMED;
      return i + len > n ? INCOMPLETE : i + len;
    }
  }
  return MALFORMED;
}

/** Remaining Length of the (complete) packet at `o`. */
function lengthOf(buf: Buffer, o: number): number {
  let len = 0;
  let mul = 1;
  for (let i = o + 1; ; i++) {
    const b = buf[i] as number;
    len += (b & 127) * mul;
    mul *= 128;
    if ((b & 128) === 0) return len;
  }
}

function publish(client: FastClient, packet: InboundPublish): void {
  client._parsingBatch++;
  const topic = packet.topic;
  // aedes' handlePublish checks, same order and messages
  if (topic.length === 0) return client._nextBatch(new Error('empty topic not allowed in PUBLISH'));
  if (topic.indexOf('#') > -1) return client._nextBatch(new Error('# is not allowed in PUBLISH'));
  if (topic.indexOf('+') > -1) return client._nextBatch(new Error('+ is not allowed in PUBLISH'));
  if (levels(topic) > client.broker.maxTopicLevels) return client._nextBatch(new Error('topic has too many levels'));
  client.broker.authorizePublish(client, packet, (err?: Error | null) => {
    if (err) return client._nextBatch(err);
    client.broker.publish(packet, client, (err2?: Error | null) => {
      if (err2) return client._nextBatch(err2);
      if (packet.qos === 1) queuePuback(client, packet.messageId as number);
      client._nextBatch();
    });
  });
}

function levels(topic: string): number {
  let n = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) n++;
  return n;
}

/** Installed on every connection (before CONNECT): until CONNACK it passes everything to mqtt-packet. */
export function installFastParse(client: TwClient): void {
  (client._parser as unknown as { parse: typeof fastParse }).parse = fastParse;
}
