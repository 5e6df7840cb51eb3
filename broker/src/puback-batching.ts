import type { TwClient } from './client-state.js';

/**
 * PUBACKs of one event-loop turn, per client, written as one buffer: a publisher with hundreds of QoS 1
 * messages in a socket chunk gets one write instead of hundreds (aedes writes each PUBACK in its own stream
 * write, after its own setImmediate). Order is the order of `queuePuback` calls, which is the order the
 * publishes completed. A PUBACK is only queued once its message is stored [MQTT-4.3.2-2]; a client that
 * closed meanwhile gets nothing (it resends after reconnecting, [MQTT-4.4.0-1]).
 *
 * The pending identifiers live on the client (one array while it has some), the flush is shared: no closure
 * or timer per connection.
 */
type AckingClient = TwClient & { connected: boolean; _parsingBatch: number; _nextBatch(err?: Error | null): void; _twAcks?: number[] | undefined; _onError(err: Error): void };

const pending: AckingClient[] = [];
let scheduled = false;

export function queuePuback(client: TwClient, messageId: number): void {
  const c = client as AckingClient;
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
    if (c.closed || !c.connected) continue;
    const buf = Buffer.allocUnsafe(ids.length * 4);
    for (let i = 0, o = 0; i < ids.length; i++, o += 4) {
      buf[o] = 0x40; // PUBACK [MQTT-3.4.1]
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
