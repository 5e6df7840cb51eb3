/**
 * PUBLISH packets of one delivery batch, encoded straight into one buffer (MQTT 3.1.1 §3.3): mqtt-packet's
 * `generate` allocates a buffer per packet (plus its `debug()` calls) that the batch then copies again.
 * The batch keeps parallel arrays of primitives, not an object per message.
 */
export class PublishBatch {
  topics: string[] = [];
  topicBytes: number[] = [];
  payloads: Buffer[] = [];
  /** first byte of the fixed header: type, DUP, QoS, RETAIN */
  heads: number[] = [];
  /** packet identifier, 0 at QoS 0 (none on the wire [MQTT-2.3.1-5]) */
  ids: number[] = [];
  size = 0;

  get length(): number {
    return this.heads.length;
  }

  add(topic: string, payload: Buffer | string, qos: 0 | 1, retain: boolean, messageId: number): void {
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const tb = Buffer.byteLength(topic);
    const remaining = 2 + tb + (qos === 1 ? 2 : 0) + p.length;
    this.topics.push(topic);
    this.topicBytes.push(tb);
    this.payloads.push(p);
    // DUP is 0 on a first delivery [MQTT-3.3.1-1]; RETAIN as aedes set it [MQTT-3.3.1-9]
    this.heads.push(0x30 | (qos << 1) | (retain ? 1 : 0));
    this.ids.push(messageId);
    this.size += 1 + varByteSize(remaining) + remaining;
  }

  encode(): Buffer {
    const buf = Buffer.allocUnsafe(this.size);
    let o = 0;
    for (let k = 0; k < this.heads.length; k++) {
      const head = this.heads[k] as number;
      const qos1 = (head & 6) === 2;
      const tb = this.topicBytes[k] as number;
      const payload = this.payloads[k] as Buffer;
      let remaining = 2 + tb + (qos1 ? 2 : 0) + payload.length;
      buf[o++] = head;
      // Remaining Length, variable byte integer [MQTT-2.2.3]
      do {
        let b = remaining & 127;
        remaining >>>= 7;
        if (remaining > 0) b |= 128;
        buf[o++] = b;
      } while (remaining > 0);
      buf.writeUInt16BE(tb, o);
      o += 2;
      o += buf.write(this.topics[k] as string, o, tb, 'utf8');
      if (qos1) {
        buf.writeUInt16BE(this.ids[k] as number, o);
        o += 2;
      }
      o += payload.copy(buf, o);
    }
    return buf;
  }
}

function varByteSize(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}
