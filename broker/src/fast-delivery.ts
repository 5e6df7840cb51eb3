import mqttPacket from 'mqtt-packet';
import type { TwClient } from './client-state.js';

type Cb = () => void;
interface Outgoing {
  topic: string;
  payload: Buffer | string;
  retain?: boolean;
  brokerId?: string;
  brokerCounter?: number;
  clientId?: string;
  nl?: boolean;
}

type DeliveringClient = TwClient & {
  deliver0: (packet: Outgoing, cb: Cb) => void;
  duplicates: Record<string, number>;
  connecting: boolean;
  connected: boolean;
  errored: boolean;
  _onError(err: Error): void;
  waitForDrain(cb: (err: Error | null) => void): void;
  broker: { authorizeForward(client: unknown, packet: Outgoing): Outgoing | null | undefined };
};

/**
 * Replaces aedes' QoS 0 delivery for one client (installed at authentication, before the session's
 * subscriptions are restored or requested, so every subscription captures it; used for service accounts). aedes delivers each message in its own setImmediate, wraps it in a new packet
 * object and writes it in five stream writes; a subscriber receiving the fleet's telemetry pays that per
 * message. Here the messages of one event-loop turn are serialized into one buffer and written once, and
 * their callbacks (which let aedes read the publishers' next packets) run when the socket accepted them, or
 * after 'drain' when it did not: the same backpressure as aedes' write path.
 *
 * Kept from aedes' deliverQoS0: no-local [MQTT-3.8.3-3], the per-broker duplicate filter (cluster), and
 * `authorizeForward`; QoS is 0 and DUP is 0 [MQTT-3.3.1-2]; RETAIN is as aedes set it (cleared on live
 * messages [MQTT-3.3.1-9], set on retained ones sent at SUBSCRIBE).
 */
export function installFastDelivery(client: TwClient): void {
  const c = client as DeliveringClient;
  let buffers: Buffer[] = [];
  let callbacks: Cb[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const cbs = callbacks;
    const bufs = buffers;
    callbacks = [];
    buffers = [];
    const done = () => {
      for (const cb of cbs) cb();
    };
    if (bufs.length === 0) return done();
    if (!(c.connecting || c.connected)) return done();
    let ok: boolean;
    try {
      ok = c.conn.write(bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs));
    } catch (err) {
      c._onError(err as Error);
      return done();
    }
    if (!ok && !c.errored) c.waitForDrain(done);
    else setImmediate(done);
  };

  c.deliver0 = function deliverQoS0Batched(packet: Outgoing, cb: Cb): void {
    let forward: Outgoing | null | undefined = packet;
    if (packet.clientId === c.id && packet.nl) forward = null;
    else if (packet.brokerId) {
      const seen = c.duplicates[packet.brokerId] ?? 0;
      const counter = packet.brokerCounter ?? 0;
      if (seen >= counter) forward = null;
      else c.duplicates[packet.brokerId] = counter;
    }
    if (forward) forward = c.broker.authorizeForward(c, forward);
    if (forward) {
      try {
        buffers.push(mqttPacket.generate({ cmd: 'publish', topic: forward.topic, payload: forward.payload, qos: 0, dup: false, retain: !!forward.retain }));
      } catch (err) {
        c._onError(err as Error);
      }
    }
    callbacks.push(cb);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
