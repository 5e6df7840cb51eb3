/**
 * Binary frames between broker nodes (Redis pub/sub). One frame carries many messages:
 *   u8 version (1) · u8 type (1 messages, 2 hello) · u16 len + node id
 *   per message: u8 flags (qos | retain << 2 | dup << 3 | hasClientId << 4) · f64 brokerCounter
 *                u16 len + brokerId · u16 len + topic · [u16 len + clientId] · u32 len + payload
 * brokerId and brokerCounter travel so aedes' per-client duplicate filter keeps working across nodes.
 */
export interface WirePacket {
  cmd?: string;
  topic: string;
  payload: Buffer | string;
  qos: number;
  retain: boolean;
  dup?: boolean;
  brokerId?: string;
  brokerCounter?: number;
  clientId?: string;
}

export type Frame = { type: 'hello'; nodeId: string } | { type: 'messages'; nodeId: string; packets: WirePacket[] };

const VERSION = 1;

export function encodeHello(nodeId: string): Buffer {
  const id = Buffer.from(nodeId);
  const buf = Buffer.allocUnsafe(4 + id.length);
  buf[0] = VERSION;
  buf[1] = 2;
  buf.writeUInt16BE(id.length, 2);
  id.copy(buf, 4);
  return buf;
}

export function encodeMessages(nodeId: string, packets: WirePacket[]): Buffer {
  const id = Buffer.from(nodeId);
  const parts: { b: Buffer; t: Buffer; c: Buffer | undefined; p: Buffer; flags: number; counter: number }[] = [];
  let size = 4 + id.length;
  for (const pk of packets) {
    const b = Buffer.from(pk.brokerId ?? '');
    const t = Buffer.from(pk.topic);
    const c = pk.clientId ? Buffer.from(pk.clientId) : undefined;
    const p = typeof pk.payload === 'string' ? Buffer.from(pk.payload) : pk.payload;
    const flags = (pk.qos & 3) | (pk.retain ? 4 : 0) | (pk.dup ? 8 : 0) | (c ? 16 : 0);
    parts.push({ b, t, c, p, flags, counter: pk.brokerCounter ?? 0 });
    size += 1 + 8 + 2 + b.length + 2 + t.length + (c ? 2 + c.length : 0) + 4 + p.length;
  }
  const buf = Buffer.allocUnsafe(size);
  buf[0] = VERSION;
  buf[1] = 1;
  buf.writeUInt16BE(id.length, 2);
  let o = 4 + id.copy(buf, 4);
  for (const x of parts) {
    buf[o] = x.flags;
    buf.writeDoubleBE(x.counter, o + 1);
    o += 9;
    buf.writeUInt16BE(x.b.length, o);
    o += 2 + x.b.copy(buf, o + 2);
    buf.writeUInt16BE(x.t.length, o);
    o += 2 + x.t.copy(buf, o + 2);
    if (x.c) {
      buf.writeUInt16BE(x.c.length, o);
      o += 2 + x.c.copy(buf, o + 2);
    }
    buf.writeUInt32BE(x.p.length, o);
    o += 4 + x.p.copy(buf, o + 4);
  }
  return buf;
}

export function decodeFrame(buf: Buffer): Frame {
  if (buf[0] !== VERSION) throw new Error(`unknown cluster frame version ${buf[0]}`);
  const type = buf[1];
  const idLen = buf.readUInt16BE(2);
  const nodeId = buf.toString('utf8', 4, 4 + idLen);
  if (type === 2) return { type: 'hello', nodeId };
  if (type !== 1) throw new Error(`unknown cluster frame type ${type}`);
  const packets: WirePacket[] = [];
  let o = 4 + idLen;
  const str = () => {
    const n = buf.readUInt16BE(o);
    const s = buf.toString('utf8', o + 2, o + 2 + n);
    o += 2 + n;
    return s;
  };
  while (o < buf.length) {
    const flags = buf[o] as number;
    const brokerCounter = buf.readDoubleBE(o + 1);
    o += 9;
    const brokerId = str();
    const topic = str();
    const clientId = flags & 16 ? str() : undefined;
    const n = buf.readUInt32BE(o);
    if (o + 4 + n > buf.length) throw new Error('truncated cluster frame');
    const payload = Buffer.from(buf.subarray(o + 4, o + 4 + n));
    o += 4 + n;
    const p: WirePacket = { cmd: 'publish', topic, payload, qos: flags & 3, retain: (flags & 4) !== 0, dup: (flags & 8) !== 0, brokerId, brokerCounter };
    if (clientId !== undefined) p.clientId = clientId;
    packets.push(p);
  }
  return { type: 'messages', nodeId, packets };
}
