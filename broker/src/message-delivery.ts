import mqttPacket from 'mqtt-packet';
import { mayWrite, type TwClient } from './client-state.js';
import { forwardable, grantedQoS, takePacketId, type DeliveringClient, type Outgoing } from './delivery-rules.js';

type Cb = () => void;

/**
 * One message at a time, as aedes delivers (its client.js deliver0/deliverQoS, write.js), with the broker's
 * delivery rules (delivery-rules.ts): once per message whatever the overlapping subscriptions, at the highest
 * QoS granted [MQTT-3.3.5-1]. Installed on every device at authentication, before its session's subscriptions
 * are restored or requested (aedes captures the function per subscription); one closure per connection, which
 * is what aedes' own pair cost. Service accounts get the batched delivery of fast-delivery.ts, which sends QoS 2
 * and a persistent session's QoS 1 through `sendQoS` here.
 */
export function installMessageDelivery(client: TwClient): void {
  const c = client as DeliveringClient;
  c.deliver0 = c.deliverQoS = function deliver(packet: Outgoing, cb: Cb): void {
    const forward = forwardable(c, packet);
    if (!forward) {
      setImmediate(cb);
      return;
    }
    const qos = grantedQoS(c, forward.topic, packet.qos ?? 0);
    if (qos === 0) setImmediate(sendQoS0, c, forward, cb);
    else sendQoS(c, forward, qos, cb);
  };
}

function sendQoS0(c: DeliveringClient, forward: Outgoing, cb: Cb): void {
  // DUP is 0 when a message is passed on [MQTT-3.3.1-3]; RETAIN as aedes set it [MQTT-3.3.1-9]
  const packet = { cmd: 'publish', topic: forward.topic, payload: forward.payload, qos: 0, retain: !!forward.retain, dup: false };
  write(c, packet, (err) => {
    c._onError(err);
    cb(); // not the error: aedes' bus would throw it
  });
}

/**
 * QoS 1 or 2, with a packet identifier from aedes' counter. A persistent session's copy is updated in the
 * persistence first (aedes queued it for every persistent subscriber before routing it), so an unacknowledged
 * message is sent again after a reconnect [MQTT-4.4.0-1]; a clean session and a retained message sent at
 * SUBSCRIBE store nothing, as in aedes.
 */
export function sendQoS(c: DeliveringClient, forward: Outgoing, qos: number, cb: Cb): void {
  setImmediate(() => {
    const packet = {
      cmd: 'publish', brokerId: forward.brokerId, brokerCounter: forward.brokerCounter, topic: forward.topic, payload: forward.payload,
      qos, retain: !!forward.retain, dup: false, messageId: takePacketId(c),
    };
    const send = (err?: unknown) => {
      if (err) {
        c.emit('error', err as Error);
        return cb();
      }
      write(c, packet, (err2) => {
        if (err2) c.emit('error', err2);
        cb();
      });
    };
    if (c.clean || packet.retain) send();
    else c.broker.persistence.outgoingUpdate(c, packet).then(() => send(), send);
  });
}

/** aedes' write.js: only while connecting or connected; waits for 'drain' when the socket buffer is full. */
function write(c: DeliveringClient, packet: object, done: (err: Error | null) => void): void {
  let error: Error | null = null;
  if (mayWrite(c)) {
    try {
      if (!mqttPacket.writeToStream(packet as mqttPacket.Packet, c.conn) && !c.errored) {
        c.waitForDrain(done);
        return;
      }
    } catch {
      error = new Error('packet received not valid');
    }
  } else {
    error = new Error('connection closed');
  }
  setImmediate(done, error);
}
