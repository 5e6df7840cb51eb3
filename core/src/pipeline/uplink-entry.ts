/**
 * Entries of the uplink stream. Two formats; every reader accepts both (decodeUplinkEntries).
 *
 * Batch entry (format 2, what the broker writes): several messages in one stream entry.
 *   v  "2"
 *   n  number of messages in the entry (decimal)
 *   b  one binary value: per message, in publish order, five values each preceded by its byte length as a
 *      big-endian u32: topic, payload, receive time (decimal ms), client id, kind (one byte). UTF-8 text.
 *   The broker puts at most UPLINK_BATCH_MAX_MESSAGES messages and (unless one message alone is larger)
 *   UPLINK_BATCH_MAX_BYTES bytes of `b` in one entry.
 *   s  (written by the broker, optional to readers) the running total of messages appended to the stream up to and
 *      including this entry: the newest entry's s − (the oldest's s − n) is how many messages the stream holds
 *      (the broker's backpressure, broker/src/uplink/append-script.ts). Readers ignore it. Read `b` as a Buffer (ioredis' `…Buffer` commands):
 *   decoding it as a string first corrupts the length prefixes.
 *
 * Single entry (format 1, still read: older brokers during a rolling upgrade, tests): one message.
 *   t  MQTT topic (a device topic from core/topics)
 *   p  raw payload as received (UTF-8 text; validation is ingest's job)
 *   r  receive time at the broker, ms since epoch
 *   c  MQTT client id that published it (equals the device id for devices)
 *   k  entry kind: "m" a published message, "o" presence online, "x" presence offline (payload: reason)
 *
 * A consumer acknowledges a batch entry once all its messages are handled; a message is identified by the
 * stream id plus its index in the entry (0 for a single entry). Replays rewrite the same points: idempotent.
 */
export type UplinkEntryKind = 'm' | 'o' | 'x';

export interface UplinkEntry {
  topic: string;
  payload: string;
  receivedAt: number;
  clientId: string;
  kind: UplinkEntryKind;
}

/** A message as a writer may hold it: the payload may still be the raw bytes received. */
export interface UplinkMessage extends Omit<UplinkEntry, 'payload'> {
  payload: string | Buffer;
}

export const UPLINK_BATCH_VERSION = '2';
export const UPLINK_BATCH_MAX_MESSAGES = 64;
export const UPLINK_BATCH_MAX_BYTES = 64 * 1024;

/** Flattens one message to the format-1 XADD field list. */
export function encodeUplinkEntry(e: UplinkEntry): string[] {
  return ['t', e.topic, 'p', e.payload, 'r', String(e.receivedAt), 'c', e.clientId, 'k', e.kind];
}

/** One batch entry's content: XADD key * v 2 n <count> b <data>. */
export interface UplinkBatch {
  count: number;
  data: Buffer;
}

/** The XADD field list of a batch entry. */
export function uplinkBatchFields(b: UplinkBatch): (string | Buffer)[] {
  return ['v', UPLINK_BATCH_VERSION, 'n', String(b.count), 'b', b.data];
}

/**
 * Encodes messages[from, to) into batch entries of at most maxMessages messages and maxBytes bytes (a larger
 * single message gets an entry of its own). One buffer is written; the entries are views of it.
 */
export function encodeUplinkBatches(
  messages: readonly UplinkMessage[] | readonly { e: UplinkMessage }[],
  maxMessages = UPLINK_BATCH_MAX_MESSAGES,
  maxBytes = UPLINK_BATCH_MAX_BYTES,
): UplinkBatch[] {
  const msg = (i: number): UplinkMessage => {
    const m = messages[i]!;
    return 'e' in m ? m.e : m;
  };
  let size = 0;
  for (let i = 0; i < messages.length; i++) {
    const e = msg(i);
    size += 20 + Buffer.byteLength(e.topic) + (typeof e.payload === 'string' ? Buffer.byteLength(e.payload) : e.payload.length) + 16 + Buffer.byteLength(e.clientId) + 1;
  }
  const buf = Buffer.allocUnsafe(size);
  const out: UplinkBatch[] = [];
  let o = 0;
  let start = 0;
  let count = 0;
  for (let i = 0; i < messages.length; i++) {
    const e = msg(i);
    const at = o;
    o = put(buf, o, e.topic);
    o = put(buf, o, e.payload);
    o = put(buf, o, String(e.receivedAt));
    o = put(buf, o, e.clientId);
    o = put(buf, o, e.kind);
    if (count > 0 && (count >= maxMessages || o - start > maxBytes)) {
      out.push({ count, data: buf.subarray(start, at) });
      start = at;
      count = 0;
    }
    count++;
  }
  if (count > 0) out.push({ count, data: buf.subarray(start, o) });
  return out;
}

/** Convenience: one batch entry holding all the messages (tests, benchmarks). */
export function encodeUplinkBatch(messages: readonly UplinkMessage[]): (string | Buffer)[] {
  const data = encodeUplinkBatches(messages, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)[0] ?? { count: 0, data: Buffer.alloc(0) };
  return uplinkBatchFields(data);
}

function put(buf: Buffer, o: number, v: string | Buffer): number {
  const n = typeof v === 'string' ? buf.write(v, o + 4) : v.copy(buf, o + 4);
  buf.writeUInt32BE(n, o);
  return o + 4 + n;
}

const str = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString());

/**
 * Every message of one stream entry (either format), in order. A message that cannot be read is undefined
 * (a format-1 entry without topic or with a bad time; in a batch entry, the first unreadable message and
 * the missing rest, so the count stays what the entry announced). An empty array: an empty batch entry.
 */
export function decodeUplinkEntries(fields: readonly (string | Buffer)[]): (UplinkEntry | undefined)[] {
  let version: string | undefined;
  let n = -1;
  let data: string | Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const k = fields[i]!;
    // batch entries carry single-letter names: compare the first byte without decoding
    const c = typeof k === 'string' ? (k.length === 1 ? k.charCodeAt(0) : 0) : k.length === 1 ? k[0] : 0;
    if (c === 118 /* v */) version = str(fields[i + 1]!);
    else if (c === 110 /* n */) n = Number(str(fields[i + 1]!));
    else if (c === 98 /* b */) data = fields[i + 1];
  }
  if (version === undefined) return [decodeUplinkEntry(fields.map(str))];
  if (version !== UPLINK_BATCH_VERSION || !(n >= 0) || !Number.isInteger(n) || data === undefined) return [undefined];
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const out: (UplinkEntry | undefined)[] = [];
  let o = 0;
  const end = buf.length;
  const take = (): [number, number] | undefined => {
    if (o + 4 > end) return undefined;
    const len = buf.readUInt32BE(o);
    const s = o + 4;
    if (s + len > end) return undefined;
    o = s + len;
    return [s, s + len];
  };
  while (out.length < n) {
    const t = take(), p = take(), r = take(), c = take(), k = take();
    if (!t || !p || !r || !c || !k) break;
    const receivedAt = Number(buf.toString('latin1', r[0], r[1]));
    const kind = k[1] - k[0] === 1 ? String.fromCharCode(buf[k[0]]!) : '';
    if (r[1] === r[0] || !Number.isFinite(receivedAt) || (kind !== 'm' && kind !== 'o' && kind !== 'x')) break;
    out.push({
      topic: buf.toString('utf8', t[0], t[1]),
      payload: buf.toString('utf8', p[0], p[1]),
      receivedAt,
      clientId: buf.toString('utf8', c[0], c[1]),
      kind,
    });
  }
  while (out.length < n) out.push(undefined);
  return out;
}

/** Reads a format-1 field list back; returns undefined when the entry is not one of ours. */
export function decodeUplinkEntry(fields: string[]): UplinkEntry | undefined {
  let topic: string | undefined;
  let payload = '';
  let receivedAt = 0;
  let clientId = '';
  let kind: UplinkEntryKind = 'm';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const v = fields[i + 1] as string;
    switch (fields[i]) {
      case 't': topic = v; break;
      case 'p': payload = v; break;
      case 'r': receivedAt = Number(v); break;
      case 'c': clientId = v; break;
      case 'k': if (v === 'm' || v === 'o' || v === 'x') kind = v; break;
    }
  }
  if (topic === undefined || !Number.isFinite(receivedAt)) return undefined;
  return { topic, payload, receivedAt, clientId, kind };
}

/** The part of an ioredis client that readUplinkMessages needs. */
export interface UplinkRangeReader {
  xrangeBuffer(key: string, start: string, end: string): Promise<[id: Buffer, fields: Buffer[]][]>;
}

/** A message read back from the stream: its entry's id and its index in that entry. */
export interface UplinkStreamMessage extends UplinkEntry {
  id: string;
  index: number;
}

/** Every readable message of the uplink stream (or of [start, end]), in order: for tests, benchmarks and tools. */
export async function readUplinkMessages(redis: UplinkRangeReader, key: string, start = '-', end = '+'): Promise<UplinkStreamMessage[]> {
  const rows = await redis.xrangeBuffer(key, start, end);
  const out: UplinkStreamMessage[] = [];
  for (const [rawId, fields] of rows) {
    const id = rawId.toString();
    decodeUplinkEntries(fields).forEach((e, index) => {
      if (e) out.push({ ...e, id, index });
    });
  }
  return out;
}
