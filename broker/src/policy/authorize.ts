import { UserError } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes';
import { authorizePublishTopic, authorizeSubscribeFilter } from './acl.js';
import type { TwClient } from '../client-state.js';
import { takePublishToken } from './limits.js';
import { messageType, type BrokerMetrics } from '../metrics.js';
import type { PipelineWriter } from '../uplink/pipeline-writer.js';

export interface AuthorizeOptions {
  writer: PipelineWriter;
  metrics: BrokerMetrics;
  log: Logger;
  publishRate: number;
}

/** What the hooks answer aedes with for a refused PUBLISH (the client is disconnected, see below). */
export class RefusedError extends UserError {
  constructor(code: 'TW_FORBIDDEN' | 'TW_RATE_LIMITED', message: string) {
    super(code, message, code === 'TW_RATE_LIMITED' ? 429 : 403);
  }
}

/**
 * aedes' `authorizePublish`, `authorizeSubscribe` and `authorizeForward` hooks.
 *
 * A refused PUBLISH disconnects the client: MQTT 3.1.1 has no negative acknowledgement for PUBLISH, so
 * aedes closes the network connection when this hook answers with an error (no PUBACK is sent; the will, if
 * any, is published). A refused SUBSCRIBE is answered with return code 0x80 in the SUBACK and the
 * connection stays open (MQTT 3.1.1 section 3.9.3).
 *
 * Accepted device uplink is appended to the pipeline stream here, and this hook's callback, which lets
 * aedes write the PUBACK [MQTT-4.3.2-2] and route the message, runs only once Redis confirmed it.
 */
export function createAuthorizers(o: AuthorizeOptions) {
  const refuse = (client: TwClient, topic: string, reason: string, cb: (err?: Error | null) => void) => {
    o.metrics.refusals.labels('publish').inc();
    if (!client.closed) client.tw.closeReason ??= 'refused';
    o.log.info({ clientId: client.id, topic: topic.slice(0, 200), reason }, 'publish refused: disconnecting');
    cb(new RefusedError('TW_FORBIDDEN', `publish refused: ${reason}`));
  };

  function authorizePublish(client: Client | null, packet: PublishPacket, cb: (err?: Error | null) => void): void {
    // the broker's own publishes ($SYS heartbeats, subscription broadcasts) have no client
    if (!client) return cb(null);
    const c = client as TwClient;
    const st = c.tw;
    const p = st?.principal;
    const topic = packet.topic;
    if (!p || st.revoked) return refuse(c, topic, 'not authenticated', cb);
    // '$' topics belong to the broker [MQTT-4.7.2-1]; nobody publishes there
    if (topic.charCodeAt(0) === 36) return refuse(c, topic, '$ topics are reserved', cb);
    const decision = authorizePublishTopic(p, topic);
    if (!decision.ok) return refuse(c, topic, decision.reason, cb);
    // c.closed: this is the will, published as the session ends; the rate limit does not apply to it
    if (p.type === 'device' && !c.closed && !takePublishToken(st, o.publishRate, Date.now())) {
      o.metrics.limitViolations.labels('publish_rate').inc();
      st.closeReason = 'kicked';
      o.log.warn({ clientId: c.id, rate: o.publishRate }, 'publish rate over the limit: disconnecting');
      return cb(new RefusedError('TW_RATE_LIMITED', 'publish rate over the limit'));
    }
    const payload = packet.payload;
    const type = messageType(topic);
    o.metrics.messagesIn[type].inc();
    o.metrics.bytesIn[type].inc(payload.length);
    if (!decision.uplink) return cb(null);
    o.writer.append(
      // the raw bytes: they reach the stream unchanged (a UTF-8 string for every valid UTF-8 payload)
      { topic, payload, receivedAt: Date.now(), clientId: c.id, kind: 'm' },
      packet.qos,
      cb,
    );
  }

  function authorizeSubscribe(client: Client, sub: Subscription, cb: (err: Error | null, sub?: Subscription | null) => void): void {
    const c = client as TwClient;
    const p = c.tw?.principal;
    if (p && !c.tw.revoked && authorizeSubscribeFilter(p, sub.topic)) return cb(null, sub);
    o.metrics.refusals.labels('subscribe').inc();
    o.log.info({ clientId: c.id, filter: sub.topic.slice(0, 200) }, 'subscription refused');
    // a null subscription makes aedes answer 0x80 (failure) for this filter
    cb(null, null);
  }

  function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const st = (client as TwClient).tw;
    if (st?.revoked) return null;
    const type = messageType(packet.topic);
    o.metrics.messagesOut[type].inc();
    o.metrics.bytesOut[type].inc(packet.payload.length);
    return packet;
  }

  return { authorizePublish, authorizeSubscribe, authorizeForward };
}
