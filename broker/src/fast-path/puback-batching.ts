import { mayWrite, type TwClient } from '../client-state.js';

/**
 * PUBACKs of one event-loop turn, per client, written as one buffer: a publisher with hundreds of QoS 1
 * messages in a socket chunk gets one write instead of hundreds (aedes writes each PUBACK in its own stream
 * write, after its own setImmediate).
 *
 * Order: PUBACKs go out in the order the PUBLISHes were received [MQTT-4.6.0-2], even when a later publish
 * finishes first (a retained message waits for Redis, a topic with offline persistent subscribers waits for
 * their queues): each QoS 1 publish takes a sequence number when it is read (`pubackSequence`), and a finished
 * one is held until every earlier one finished. A PUBACK is only queued once its message is stored
 * [MQTT-4.3.2-2]; a client that closed meanwhile gets nothing (it resends after reconnecting, [MQTT-4.4.0-1]).
 *
 * The state lives on the client (two counters, plus a map only while publishes finish out of order, and an
 * array while PUBACKs wait for the flush), the flush is shared: no closure or timer per connection.
 */
type AckingClient = TwClient & {
  _parsingBatch: number;
  _nextBatch(err?: Error | null): void;
  _onError(err: Error): void;
  _twAcks?: number[] | undefined;
  _twAckSeq?: number;
  _twAckNext?: number;
  _twAckDone?: Map<number, number> | undefined;
};

/** The sequence number of a QoS 1 PUBLISH, taken when it is read (wire order). */
export function pubackSequence(client: TwClient): number {
  const c = client as AckingClient;
  const seq = c._twAckSeq ?? 0;
  c._twAckSeq = seq + 1;
  return seq;
}

/** The publish with this sequence number is stored: its PUBACK goes out after every earlier one. */
export function pubackReady(client: TwClient, seq: number, messageId: number): void {
  const c = client as AckingClient;
  let next = c._twAckNext ?? 0;
  if (seq !== next) {
    (c._twAckDone ??= new Map()).set(seq, messageId);
    return;
  }
  queuePuback(c, messageId);
  next++;
  const done = c._twAckDone;
  if (done) {
    for (let id = done.get(next); id !== undefined; id = done.get(next)) {
      done.delete(next);
      queuePuback(c, id);
      next++;
    }
    if (done.size === 0) c._twAckDone = undefined;
  }
  c._twAckNext = next;
}

const pending: AckingClient[] = [];
let scheduled = false;

function queuePuback(c: AckingClient, messageId: number): void {
  if (c._twAcks) {
    c._twAcks.push(messageId);
    return;
  }
  c._twAcks = [messageId];
  pending.push(c);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushPubacks);
  }
}

function flushPubacks(): void {
  scheduled = false;
  const clients = pending.splice(0);
  for (const c of clients) {
    const ids = c._twAcks as number[];
    c._twAcks = undefined;
    // (a PUBACK skipped while the client was still `connecting` was lost for good: the publisher waited for ever)
    if (c.closed || !mayWrite(c)) continue;
    const buf = Buffer.allocUnsafe(ids.length * 4);
    for (let i = 0, o = 0; i < ids.length; i++, o += 4) {
      buf[o] = 0x40; // PUBACK fixed header, MQTT 3.1.1 §3.4.1
      buf[o + 1] = 2;
      buf.writeUInt16BE(ids[i] as number, o + 2);
    }
    try {
      // a publisher that does not read its PUBACKs fills its socket: read nothing more from it until it
      // drains (aedes waits for 'drain' per PUBACK the same way); a closure only in that rare case
      if (!c.conn.write(buf) && !c.closed) {
        c._parsingBatch++;
        c.conn.once('drain', () => c._nextBatch());
      }
    } catch (err) {
      c._onError(err as Error);
    }
  }
}
