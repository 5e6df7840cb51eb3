import mqttPacket from 'mqtt-packet';
import type { TwClient } from './client-state.js';
import type { ParserGuards } from './parser-guards.js';
import { pubackReady, pubackSequence } from './puback-batching.js';
import { headerFault, topicFault } from './publish-validation.js';

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
 *   [MQTT-4.3.2-2], written with the other PUBACKs of this event-loop turn in one write, in the order the
 *   PUBLISHes were received [MQTT-4.6.0-2] (see puback-batching.ts).
 *   The PUBACK comes after the publish finished, so an acknowledged message is in the uplink stream *and* in
 *   every offline persistent session's queue (aedes acknowledges before the latter).
 * - PUBACK from a clean session: aedes looks the message up in the persistence (a clean session stores
 *   nothing, [MQTT-3.1.2-6]) and emits `ack`; here only the `ack` event remains, when someone listens.
 *
 * Every other packet (SUBSCRIBE, PINGREQ, QoS 2, …) goes to mqtt-packet's parser alone, complete and in wire
 * order; so does everything before CONNACK, from MQTT 5 clients, and from a malformed or oversized header on.
 * A packet split across socket chunks waits here for its rest. Each packet taken counts in aedes'
 * `_parsingBatch` like a parsed one, so the next socket chunk is read only when all of this chunk's packets
 * are done (the broker's backpressure).
 *
 * One shared function set on each connection's parser, state on the client: no closure per connection (20,000
 * idle devices). (Giving the parsers a prototype of our own instead cost 0.4 KB more heap per connection.)
 */
type Parser = TwClient['_parser'] & { client: FastClient; _list: { length: number }; _stateCounter: number; error: unknown; _twGuards?: ParserGuards; _twRest?: Buffer | undefined };
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
  const max = this._twGuards?.maxBytes ?? Infinity;
  const n = buf.length;
  let o = 0;
  let took = 0;
  while (o < n && !client.closed) {
    const first = buf[o] as number;
    const end = packetEnd(buf, o, max);
    if (end === INCOMPLETE) break;
    // a bad or oversized length: mqtt-packet (with the size limit of parser-guards.ts) refuses it and closes
    if (end === MALFORMED) return parse.call(this, buf.subarray(o));
    if (!takeOne(client, buf, first, o, end)) {
      // any other packet goes to mqtt-packet alone (complete, so its state is empty again afterwards), in order
      parse.call(this, buf.subarray(o, end));
    }
    o = end;
    took++;
  }
  if (took > 0 && client._keepaliveInterval > 0) client._keepaliveTimer?.refresh();
  // a packet split across socket chunks waits here for the rest (a copy: not the whole chunk kept alive)
  if (o < n && !client.closed) this._twRest = Buffer.from(buf.subarray(o));
  return 0;
}

/** Handles the complete packet buf[o, end) if it is one this path takes; false hands it to mqtt-packet. */
function takeOne(client: FastClient, buf: Buffer, first: number, o: number, end: number): boolean {
  const type = first >> 4;
  const i = end - lengthOf(buf, o);
  const len = end - i;
  if (type === 3) {
    const qos = (first >> 1) & 3;
    if (qos > 1 || len < 2) return false;
    const topicLength = buf.readUInt16BE(i);
    const header = 2 + topicLength + (qos === 1 ? 2 : 0);
    if (header > len) return false;
    const messageId = qos === 1 ? buf.readUInt16BE(i + 2 + topicLength) : undefined;
    // one that breaks a PUBLISH rule goes to mqtt-packet too, whose guarded parser refuses it (parser-guards.ts)
    if (headerFault(qos, (first & 8) === 8, messageId) || topicFault(buf, i + 2, i + 2 + topicLength)) return false;
    publish(client, {
      cmd: 'publish',
      topic: buf.toString('utf8', i + 2, i + 2 + topicLength),
      payload: buf.subarray(i + header, end),
      qos: qos as 0 | 1,
      retain: (first & 1) === 1,
      dup: (first & 8) === 8,
      messageId,
      length: len,
    });
    return true;
  }
  // PUBACK: fixed header 0x40 and a two-byte packet identifier; only a clean session's is handled here
  if (type === 4 && first === 0x40 && len === 2 && client.clean) {
    const b = client.broker;
    if (b.listenerCount('ack') > 0) b.emit('ack', undefined, client);
    return true;
  }
  return false;
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
  const seq = packet.qos === 1 ? pubackSequence(client) : -1;
  client.broker.authorizePublish(client, packet, (err?: Error | null) => {
    if (err) return client._nextBatch(err);
    client.broker.publish(packet, client, (err2?: Error | null) => {
      if (err2) return client._nextBatch(err2);
      if (seq >= 0) pubackReady(client, seq, packet.messageId as number);
      client._nextBatch();
    });
  });
}

function levels(topic: string): number {
  let n = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) n++;
  return n;
}

/** For every connection, before CONNECT: until CONNACK the parser passes everything to mqtt-packet. */
export function installFastParse(client: TwClient): void {
  (client._parser as unknown as { parse: typeof fastParse }).parse = fastParse;
}
