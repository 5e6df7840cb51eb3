import type { Logger } from '@tianwang/core/log';
import type { Redis } from 'ioredis';
import qlobber from 'qlobber';
import { decodeFrame, encodeHello, encodeMessages, type WirePacket } from './cluster-frame.js';
import type { BrokerMetrics } from './metrics.js';

const { Qlobber } = qlobber;

type Listener = (packet: WirePacket, done: () => void) => void;

let rounds = 0;
let current = 0;
/**
 * The number of the delivery round running now, 0 outside one: each message is handed to all its listeners in
 * one synchronous round, so a client called twice in one round has overlapping subscriptions (delivery-rules.ts).
 */
export const deliveryRound = (): number => current;

let generation = 0;
/** Changes whenever a subscription is added or removed: summaries of a client's subscriptions are redone then. */
export const subscriptionGeneration = (): number => generation;

/**
 * The message bus under aedes (its `mq` option), replacing mqemitter / mqemitter-redis:
 *
 * - Local delivery is direct: match the subscribers, call each, call back when all are done. There is no
 *   shared queue, so nothing can recurse through a queue as mqemitter's `released()` does under overload
 *   (stack overflow at a deep backlog). Load is bounded instead by aedes reading a client's next socket
 *   chunk only after every packet of the previous one was delivered: a slow subscriber slows the
 *   publishers through TCP, and nothing piles up in the broker.
 * - Cluster: every message published on this node is also sent to the other nodes through one Redis pub/sub
 *   channel, many messages per PUBLISH (one frame per event-loop turn). mqemitter-redis instead sends each
 *   message through Redis even to local subscribers, which costs a round trip and an msgpack encode/decode per
 *   message. Frames go out only while another node listens (PUBSUB NUMSUB, polled each second; a starting
 *   node announces itself with a hello frame so the others begin forwarding before it accepts clients).
 */
export class ClusterEmitter {
  private readonly matcher = new Qlobber({ separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true });
  /** topic → listeners, cleared on every (un)subscribe: a fleet has a bounded set of topics */
  private readonly matchCache = new Map<string, Listener[]>();
  private outbox: WirePacket[] = [];
  private flushScheduled = false;
  private peers = false;
  private pollTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    private readonly nodeId: string,
    private readonly channel: string,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly log: Logger,
    private readonly metrics: BrokerMetrics,
  ) {}

  /** Subscribes to the cluster channel and announces this node; resolves when other nodes can hear it. */
  async start(): Promise<void> {
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onFrame(channel, message));
    await this.sub.subscribe(this.channel);
    await this.pub.publish(this.channel, encodeHello(this.nodeId));
    await this.pollPeers();
  }

  private async pollPeers(): Promise<void> {
    try {
      const reply = (await this.pub.call('PUBSUB', 'NUMSUB', this.channel)) as [string, number];
      const peers = Number(reply[1]) > 1;
      if (peers !== this.peers) this.log.info({ peers }, peers ? 'other broker nodes present: forwarding messages' : 'no other broker nodes: not forwarding');
      this.peers = peers;
      this.metrics.clusterPeers.set(peers ? 1 : 0);
    } catch {
      /* Redis down: keep the last answer */
    }
    if (!this.closed) this.pollTimer = setTimeout(() => void this.pollPeers(), 1000);
  }

  private onFrame(channel: Buffer, message: Buffer): void {
    if (this.closed || channel.toString() !== this.channel) return;
    let frame;
    try {
      frame = decodeFrame(message);
    } catch (err) {
      this.log.warn({ err }, 'undecodable cluster frame ignored');
      return;
    }
    if (frame.nodeId === this.nodeId) return;
    if (frame.type === 'hello') {
      if (!this.peers) this.log.info({ node: frame.nodeId }, 'broker node joined: forwarding messages');
      this.peers = true;
      this.metrics.clusterPeers.set(1);
      return;
    }
    this.metrics.forwardedIn.inc(frame.packets.length);
    for (const p of frame.packets) this.deliver(p, noop);
  }

  on(topic: string, listener: Listener, done?: () => void): this {
    this.matcher.add(topic, listener);
    this.matchCache.clear();
    generation++;
    if (done) setImmediate(done);
    return this;
  }

  removeListener(topic: string, listener: Listener, done?: () => void): this {
    // deferred like mqemitter's, so an unsubscribe racing a delivery in this turn still delivers it
    setImmediate(() => {
      this.matcher.remove(topic, listener);
      this.matchCache.clear();
      // aedes removes the client's subscription in `done`: the generation changes after it
      done?.();
      generation++;
    });
    return this;
  }

  emit(packet: WirePacket, cb?: (err?: Error) => void): this {
    const done = cb ?? noop;
    if (this.closed) {
      done(new Error('broker message bus is closed'));
      return this;
    }
    if (this.peers) this.forward(packet);
    this.deliver(packet, done);
    return this;
  }

  private deliver(packet: WirePacket, done: () => void): void {
    const topic = packet.topic;
    let listeners = this.matchCache.get(topic);
    if (!listeners) {
      listeners = this.matcher.match(topic) as Listener[];
      if (this.matchCache.size >= 100_000) this.matchCache.clear();
      this.matchCache.set(topic, listeners);
    }
    const n = listeners.length;
    if (n === 0) return done();
    const outer = current;
    current = ++rounds;
    try {
      // the common case (one subscriber: the fleet's telemetry consumer) needs no join counter
      if (n === 1) return (listeners[0] as Listener)(packet, done);
      let pending = n;
      const one = () => {
        if (--pending === 0) done();
      };
      for (const l of listeners) l(packet, one);
    } finally {
      current = outer;
    }
  }

  private forward(packet: WirePacket): void {
    this.outbox.push(packet);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.outbox;
      this.outbox = [];
      this.metrics.forwardedOut.inc(batch.length);
      this.pub.publish(this.channel, encodeMessages(this.nodeId, batch)).catch((err: unknown) => {
        this.log.warn({ err, messages: batch.length }, 'forwarding to other broker nodes failed');
      });
    });
  }

  close(cb?: () => void): this {
    this.closed = true;
    clearTimeout(this.pollTimer);
    setImmediate(() => cb?.());
    return this;
  }
}

function noop(): void {}
