import { isUtf8 } from 'node:buffer';

/**
 * Which rule a PUBLISH breaks, as counted in `tw_mqtt_protocol_violations_total{rule}`. Each is a protocol
 * violation on which the server closes the network connection [MQTT-4.8.0-1]:
 * - `topic_utf8`: the topic is not well-formed UTF-8 (RFC 3629: no overlong forms, no encoded surrogates
 *   U+D800–U+DFFF, nothing truncated) [MQTT-1.5.3-1], [MQTT-4.7.3-1]
 * - `topic_null`: the topic contains U+0000 [MQTT-1.5.3-2]
 * - `packet_id_zero`: QoS 1 or 2 with packet identifier 0 [MQTT-2.3.1-1]
 * - `qos0_dup`: QoS 0 with the DUP flag set [MQTT-3.3.1-2]
 */
export type PublishFault = 'topic_utf8' | 'topic_null' | 'packet_id_zero' | 'qos0_dup';

/**
 * The fault of the topic bytes buf[start, end), or undefined when they are a valid topic string. Decoding
 * cannot tell: Node turns every malformed sequence into U+FFFD, which is also a valid character, so the bytes
 * are checked. Topics are ASCII almost always: one pass over the bytes, and the UTF-8 validator only from the
 * first non-ASCII byte on (a sequence boundary, since everything before it is one byte per character).
 */
export function topicFault(buf: Uint8Array, start: number, end: number): PublishFault | undefined {
  for (let k = start; k < end; k++) {
    const b = buf[k] as number;
    if (b === 0) return 'topic_null';
    if (b >= 0x80) {
      const rest = buf.subarray(k, end);
      if (!isUtf8(rest)) return 'topic_utf8';
      return rest.indexOf(0) === -1 ? undefined : 'topic_null';
    }
  }
  return undefined;
}

/** The fault of a PUBLISH's fixed-header flags and packet identifier, or undefined. */
export function headerFault(qos: number, dup: boolean, messageId: number | undefined): PublishFault | undefined {
  if (qos === 0) return dup ? 'qos0_dup' : undefined;
  return messageId === 0 ? 'packet_id_zero' : undefined;
}
