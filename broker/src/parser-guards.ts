import mqttPacket from 'mqtt-packet';
import type { TwClient } from './client-state.js';
import { headerFault, topicFault, type PublishFault } from './publish-validation.js';

/**
 * Checks on each connection's mqtt-packet parser, before a packet reaches aedes:
 * - the packet size limit: a Remaining Length (read from the fixed header, [MQTT-2.2.3]) over the limit is
 *   refused before the body is buffered, so a client cannot make the broker hold a 256 MB packet in memory;
 * - PUBLISH validity (publish-validation.ts): a topic that is not valid UTF-8 or holds U+0000, packet id 0 at
 *   QoS 1/2, DUP at QoS 0. mqtt-packet accepts all of these (it decodes malformed UTF-8 to U+FFFD).
 * A refused packet is an error on the parser, so aedes closes the connection [MQTT-4.8.0-1] and nothing of the
 * packet is acted on. Every PUBLISH passes here that fast-publish.ts does not take itself (QoS 2, anything
 * before CONNACK, MQTT 5 clients), and fast-publish.ts hands over the ones that break a rule, so the refusal
 * happens in one place whichever path the packet came by.
 *
 * Shared functions set on each connection's parser, with one shared guards object: no closure per connection
 * (20,000 idle devices).
 */
export interface ParserGuards {
  maxBytes: number;
  onTooBig(client: TwClient, length: number): void;
  onFault(client: TwClient, fault: PublishFault): void;
}

interface BufferList {
  length: number;
  readUInt16BE(offset: number): number;
  slice(start: number, end: number): Buffer;
}

type GuardedParser = TwClient['_parser'] & {
  _twGuards: ParserGuards;
  _parsePublish: () => void;
  client: TwClient;
  _pos: number;
  _list: BufferList;
  error: unknown;
  packet: { length: number; qos: number; dup: boolean; messageId?: number };
};

const proto = Object.getPrototypeOf(mqttPacket.parser()) as { _parseLength(this: GuardedParser): boolean; _parsePublish(this: GuardedParser): void };

function parseLengthWithLimit(this: GuardedParser): boolean {
  const ok = proto._parseLength.call(this);
  const max = this._twGuards.maxBytes;
  if (ok && this.packet.length > max) {
    this._twGuards.onTooBig(this.client, this.packet.length);
    this._emitError(new Error(`packet of ${this.packet.length} bytes is over the limit of ${max}`));
    return false;
  }
  return ok;
}

/** mqtt-packet's _parsePublish (the whole packet is in `_list`, from `_pos` = 0), with the PUBLISH rules. */
function parsePublishChecked(this: GuardedParser): void {
  const length = this.packet.length;
  const pos = this._pos;
  if (length - pos >= 2) {
    const topicEnd = pos + 2 + this._list.readUInt16BE(pos);
    // a topic longer than the packet is mqtt-packet's to refuse
    if (topicEnd <= length) {
      const topic = this._list.slice(pos + 2, topicEnd);
      const fault = topicFault(topic, 0, topic.length);
      if (fault) return refuse(this, fault);
    }
  }
  proto._parsePublish.call(this);
  if (this.error) return;
  const p = this.packet;
  const fault = headerFault(p.qos, p.dup, p.messageId);
  if (fault) refuse(this, fault);
}

function refuse(parser: GuardedParser, fault: PublishFault): void {
  parser._twGuards.onFault(parser.client, fault);
  parser._emitError(new Error(`PUBLISH refused: ${fault}`));
}

export function guardParser(client: TwClient, guards: ParserGuards): void {
  const parser = client._parser as GuardedParser;
  parser._twGuards = guards;
  parser._parseLength = parseLengthWithLimit;
  parser._parsePublish = parsePublishChecked;
}
