import { topicMatches } from './acl.js';
import type { TwClient } from './client-state.js';
import { deliveryRound, subscriptionGeneration } from './cluster-emitter.js';

/** A message as aedes hands it to a client's delivery function (aedes-packet's Packet). */
export interface Outgoing {
  topic: string;
  payload: Buffer | string;
  qos?: number;
  retain?: boolean;
  brokerId?: string | null;
  brokerCounter?: number;
  clientId?: string;
  nl?: boolean;
}

type Cb = () => void;

/** The aedes client fields the delivery paths use (aedes 1.2, pinned by test/aedes-internals.test.ts). */
export type DeliveringClient = TwClient & {
  deliver0: (packet: Outgoing, cb: Cb) => void;
  deliverQoS: (packet: Outgoing, cb: Cb) => void;
  subscriptions: Record<string, { qos?: number } | undefined>;
  clean: boolean;
  errored: boolean;
  _nextId: number;
  _onError(err: Error | null | undefined): void;
  emit(event: 'error', err: Error): boolean;
  waitForDrain(cb: (err: Error | null) => void): void;
  broker: {
    authorizeForward(client: unknown, packet: Outgoing): Outgoing | null | undefined;
    persistence: { outgoingUpdate(client: unknown, packet: unknown): Promise<unknown> };
  };
  /** the bus delivery round of the last message forwarded to this client */
  _twRound?: number;
  /** lowest and highest QoS granted among the subscriptions, as of subscription generation `_twSubsGen` */
  _twSubsGen?: number;
  _twSubsMin?: number;
  _twSubsMax?: number;
};

/**
 * Which messages a client gets: aedes calls the client's delivery function once per matching subscription, so a
 * client whose subscriptions overlap (`a/c` and `a/#`) is called several times for one message. It gets it once
 * [MQTT-3.3.5-1]: the bus (cluster-emitter.ts) hands each message to all its listeners in one synchronous loop
 * and numbers these rounds, and a second call in the round the client was last forwarded a message in is a copy.
 *
 * (aedes' own filter, kept per client as the highest broker counter seen, also dropped messages that were routed
 * out of counter order: a QoS 1 publish waits for the persistence before it is routed, so a QoS 0 publish read
 * just after it was routed first and the QoS 1 message was then dropped as "already seen", acknowledged but
 * never delivered.)
 *
 * Kept from aedes: no-local [MQTT-3.8.3-3] and `authorizeForward`. Retained messages sent at SUBSCRIBE are sent
 * outside any round and per new subscription [MQTT-3.3.1-6].
 */
export function forwardable(c: DeliveringClient, packet: Outgoing): Outgoing | null | undefined {
  if (packet.nl && packet.clientId === c.id) return null;
  const round = deliveryRound();
  if (round !== 0) {
    if (c._twRound === round) return null;
    c._twRound = round;
  }
  return c.broker.authorizeForward(c, packet);
}

/**
 * The QoS a message published at `publishQoS` is delivered at [MQTT-3.3.5-1]: the highest QoS granted among the
 * client's subscriptions that match the topic, never more than the publisher's [MQTT-3.8.4-6]. (aedes took the
 * QoS of the subscription whose filter *equals* the topic name, if any: `a/c` at QoS 0 and `a/#` at QoS 2 gave
 * QoS 0, and `a/#` at QoS 1 alone passed a QoS 2 message on at QoS 2.)
 *
 * Per delivered message, so the usual cases cost no topic matching: the lowest and highest QoS granted among the
 * client's subscriptions are kept on the client (redone when any subscription changed; aedes' subscription table
 * has a null prototype, slow to enumerate), and when no subscription is granted less than the publisher's QoS,
 * or all are granted the same, that is the answer. Only a client with subscriptions at different QoS matches.
 */
export function grantedQoS(c: DeliveringClient, topic: string, publishQoS: number): number {
  if (publishQoS === 0) return 0;
  const generation = subscriptionGeneration();
  if (c._twSubsGen !== generation) summarize(c, generation);
  const min = c._twSubsMin as number;
  if (min >= publishQoS) return publishQoS;
  if (min === c._twSubsMax) return min;
  const subscriptions = c.subscriptions;
  let max = -1;
  for (const filter in subscriptions) {
    const qos = subscriptions[filter]?.qos ?? 0;
    if (qos <= max || !topicMatches(filter, topic)) continue;
    if (qos >= publishQoS) return publishQoS;
    max = qos;
  }
  // no subscription matches any more (unsubscribed while the message was on its way): as sent
  return max < 0 ? publishQoS : max;
}

function summarize(c: DeliveringClient, generation: number): void {
  // no subscription: as sent
  let min = 2;
  let max = 0;
  for (const filter in c.subscriptions) {
    const qos = c.subscriptions[filter]?.qos ?? 0;
    if (qos < min) min = qos;
    if (qos > max) max = qos;
  }
  c._twSubsMin = min;
  c._twSubsMax = max;
  c._twSubsGen = generation;
}

/** The next packet identifier from aedes' own per-client counter: 1…65535, never 0 [MQTT-2.3.1-1]. */
export function takePacketId(c: DeliveringClient): number {
  const id = c._nextId;
  c._nextId = id >= 65535 ? 1 : id + 1;
  return id;
}
