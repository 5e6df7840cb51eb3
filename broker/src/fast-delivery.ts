import { mayWrite, type TwClient } from './client-state.js';
import { PublishBatch } from './publish-encoding.js';

type Cb = () => void;
interface Outgoing {
  topic: string;
  payload: Buffer | string;
  qos?: number;
  retain?: boolean;
  brokerId?: string;
  brokerCounter?: number;
  clientId?: string;
  nl?: boolean;
}

type DeliveringClient = TwClient & {
  deliver0: (packet: Outgoing, cb: Cb) => void;
  deliverQoS: (packet: Outgoing, cb: Cb) => void;
  duplicates: Record<string, number>;
  subscriptions: Record<string, { qos?: number } | undefined>;
  clean: boolean;
  errored: boolean;
  _nextId: number;
  _onError(err: Error): void;
  waitForDrain(cb: (err: Error | null) => void): void;
  broker: { authorizeForward(client: unknown, packet: Outgoing): Outgoing | null | undefined };
};

/**
 * Replaces aedes' QoS 0 delivery, and its QoS 1 delivery to a clean session, for one client (installed at
 * authentication, before the session's subscriptions are restored or requested, so every subscription
 * captures it; used for service accounts). aedes delivers each message in its own setImmediate, wraps it in a
 * new packet object and writes it in five stream writes; a subscriber receiving the fleet's telemetry pays
 * that per message. Here the messages of one event-loop turn are encoded into one buffer and written once,
 * and their callbacks (which let aedes read the publishers' next packets) run when the socket accepted them,
 * or after 'drain' when it did not: the same backpressure as aedes' write path.
 *
 * QoS 1 to a clean session: aedes stores nothing for it either (a clean session's state ends with the
 * connection [MQTT-3.1.2-6]; its PUBACKs are taken by fast-publish.ts, which has nothing to clear), so the only
 * per-message state is the packet identifier, taken from aedes' own counter (`_nextId`, 1…65535, never 0
 * [MQTT-2.3.1-1]). A persistent session (clean=false) and QoS 2 keep aedes' path, which stores the message
 * before sending it so it survives a restart.
 *
 * Kept from aedes' deliverQoS0/deliverQoS: no-local [MQTT-3.8.3-3], the per-broker duplicate filter (cluster),
 * `authorizeForward`, the downgrade to the subscription's QoS [MQTT-3.8.4-6]; DUP is 0 [MQTT-3.3.1-1];
 * RETAIN is as aedes set it (cleared on live messages [MQTT-3.3.1-9], set on retained ones sent at SUBSCRIBE).
 */
export function installFastDelivery(client: TwClient): void {
  const c = client as DeliveringClient;
  const aedesDeliverQoS = c.deliverQoS;
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

  /** no-local, the cluster duplicate filter and authorizeForward, as aedes' getToForwardPacket */
  const toForward = (packet: Outgoing): Outgoing | null | undefined => {
    if (packet.clientId === c.id && packet.nl) return null;
    if (packet.brokerId) {
      const seen = c.duplicates[packet.brokerId] ?? 0;
      const counter = packet.brokerCounter ?? 0;
      if (seen >= counter) return null;
      c.duplicates[packet.brokerId] = counter;
    }
    return c.broker.authorizeForward(c, packet);
  };

  const queue = (forward: Outgoing | null | undefined, qos: 0 | 1, cb: Cb) => {
    if (forward) {
      let id = 0;
      if (qos === 1) {
        id = c._nextId;
        c._nextId = id >= 65535 ? 1 : id + 1;
      }
      batch.add(forward.topic, forward.payload, qos, !!forward.retain, id);
    }
    callbacks.push(cb);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  c.deliver0 = function deliverQoS0Batched(packet: Outgoing, cb: Cb): void {
    queue(toForward(packet), 0, cb);
  };

  c.deliverQoS = function deliverQoS1Batched(packet: Outgoing, cb: Cb): void {
    if (!packet.qos) return c.deliver0(packet, cb);
    if (packet.qos !== 1 || !c.clean) return aedesDeliverQoS(packet, cb);
    const sub = c.subscriptions[packet.topic];
    queue(toForward(packet), sub && (sub.qos ?? 0) < 1 ? 0 : 1, cb);
  };
}
