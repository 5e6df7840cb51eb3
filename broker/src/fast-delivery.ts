import { mayWrite, type TwClient } from './client-state.js';
import { forwardable, grantedQoS, takePacketId, type DeliveringClient, type Outgoing } from './delivery-rules.js';
import { sendQoS } from './message-delivery.js';
import { PublishBatch } from './publish-encoding.js';

type Cb = () => void;

/**
 * The delivery of a service account's session (installed at authentication, before the session's subscriptions
 * are restored or requested, so every subscription captures it). aedes delivers each message in its own
 * setImmediate, wraps it in a new packet object and writes it in five stream writes; a subscriber receiving the
 * fleet's telemetry pays that per message. Here the QoS 0 messages, and the QoS 1 messages to a clean session,
 * of one event-loop turn are encoded into one buffer and written once, and their callbacks (which let aedes read
 * the publishers' next packets) run when the socket accepted them, or after 'drain' when it did not: the same
 * backpressure as aedes' write path.
 *
 * QoS 1 to a clean session: aedes stores nothing for it either (a clean session's state ends with the
 * connection [MQTT-3.1.2-6]; its PUBACKs are taken by fast-publish.ts, which has nothing to clear), so the only
 * per-message state is the packet identifier, taken from aedes' own counter (`_nextId`, 1…65535, never 0
 * [MQTT-2.3.1-1]). A persistent session (clean=false) and QoS 2 go one message at a time (`sendQoS`,
 * message-delivery.ts), stored before they are sent so they survive a restart.
 *
 * Which messages, at which QoS: delivery-rules.ts (once per message, at the highest QoS granted among the
 * overlapping subscriptions [MQTT-3.3.5-1], no-local, `authorizeForward`). DUP is 0 [MQTT-3.3.1-1]; RETAIN is as
 * aedes set it (cleared on live messages [MQTT-3.3.1-9], set on retained ones sent at SUBSCRIBE).
 */
export function installFastDelivery(client: TwClient): void {
  const c = client as DeliveringClient;
  let batch = new PublishBatch();
  let callbacks: Cb[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const cbs = callbacks;
    const b = batch;
    callbacks = [];
    batch = new PublishBatch();
    const done = () => {
      for (const cb of cbs) cb();
    };
    if (b.length === 0) return done();
    if (!mayWrite(c)) return done();
    let ok: boolean;
    try {
      ok = c.conn.write(b.encode());
    } catch (err) {
      c._onError(err as Error);
      return done();
    }
    if (!ok && !c.errored) c.waitForDrain(done);
    else setImmediate(done);
  };

  const queue = (forward: Outgoing | null | undefined, qos: 0 | 1, cb: Cb) => {
    if (forward) {
      batch.add(forward.topic, forward.payload, qos, !!forward.retain, qos === 1 ? takePacketId(c) : 0);
    }
    callbacks.push(cb);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  c.deliver0 = c.deliverQoS = function deliverBatched(packet: Outgoing, cb: Cb): void {
    const forward = forwardable(c, packet);
    if (!forward) return queue(null, 0, cb);
    const qos = grantedQoS(c, forward.topic, packet.qos ?? 0);
    // QoS 2, and QoS 1 to a persistent session, are stored before they are sent
    if (qos === 2 || (qos === 1 && !c.clean)) return sendQoS(c, forward, qos, cb);
    queue(forward, qos as 0 | 1, cb);
  };
}
