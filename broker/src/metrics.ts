import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Every broker metric, in one place. Hot-path counters are bound to their labels once (`.labels()` per
 * message would cost a map lookup and a string join each time).
 */
export const MESSAGE_TYPES = ['telemetry', 'event', 'status', 'cmd', 'other'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Which kind of message a topic carries, for per-type counters; cheap (looks at the last levels only). */
export function messageType(topic: string): MessageType {
  if (topic.endsWith('/telemetry')) return 'telemetry';
  if (topic.endsWith('/event')) return 'event';
  if (topic.endsWith('/status')) return 'status';
  if (topic.lastIndexOf('/cmd/') > 0) return 'cmd';
  return 'other';
}

type Bound = { inc(v?: number): void };

/**
 * A per-type counter for the per-message path: increments are plain additions, moved into the prom-client
 * counter when it is collected (each scrape), so a message costs no label lookup or map write.
 */
function perTypeCounter(name: string, help: string, registers: Registry[]): Record<MessageType, Bound> {
  const pending: Record<string, number> = Object.fromEntries(MESSAGE_TYPES.map((t) => [t, 0]));
  new Counter({
    name, help, labelNames: ['type'], registers,
    collect() {
      for (const t of MESSAGE_TYPES) {
        const n = pending[t] as number;
        if (n > 0) {
          this.labels(t).inc(n);
          pending[t] = 0;
        }
      }
    },
  });
  return Object.fromEntries(MESSAGE_TYPES.map((t) => [t, { inc: (v = 1) => void (pending[t] = (pending[t] as number) + v) }])) as Record<MessageType, Bound>;
}

export function createBrokerMetrics(registry: Registry) {
  const r = [registry];
  const connections = new Gauge({ name: 'tw_mqtt_connections', help: 'Open client connections (authenticated or not), by transport', labelNames: ['transport'], registers: r });
  const clients = new Gauge({ name: 'tw_mqtt_clients', help: 'Authenticated, registered clients, by principal type', labelNames: ['principal'], registers: r });
  const connectsTotal = new Counter({ name: 'tw_mqtt_connects_total', help: 'Accepted CONNECTs, by principal type', labelNames: ['principal'], registers: r });
  const disconnects = new Counter({ name: 'tw_mqtt_disconnects_total', help: 'Client sessions that ended, by reason', labelNames: ['reason'], registers: r });
  const authFailures = new Counter({ name: 'tw_mqtt_auth_failures_total', help: 'Refused CONNECTs, by reason', labelNames: ['reason'], registers: r });
  const refusals = new Counter({ name: 'tw_mqtt_refusals_total', help: 'Refused PUBLISH and SUBSCRIBE requests (ACL)', labelNames: ['action'], registers: r });
  const protocolViolations = new Counter({ name: 'tw_mqtt_protocol_violations_total', help: 'PUBLISH packets that broke an MQTT rule (topic not valid UTF-8 or holding U+0000, packet id 0 at QoS 1/2, DUP at QoS 0); the client was disconnected', labelNames: ['rule'], registers: r });
  const limitViolations = new Counter({ name: 'tw_mqtt_limit_violations_total', help: 'Clients cut off or refused for breaking a limit', labelNames: ['limit'], registers: r });
  const pipelineEntries = new Counter({ name: 'tw_mqtt_pipeline_entries_total', help: 'Uplink stream entries, by outcome (appended, dropped: QoS 0 lost while Redis was unreachable, refused: QoS 1 not acknowledged)', labelNames: ['result'], registers: r });
  const pipelineErrors = new Counter({ name: 'tw_mqtt_pipeline_errors_total', help: 'Failed uplink batch writes to Redis (retried)', registers: r });
  const pipelineBuffered = new Gauge({ name: 'tw_mqtt_pipeline_buffered', help: 'Uplink entries waiting in memory for Redis', registers: r });
  const uplinkLength = new Gauge({ name: 'tw_mqtt_uplink_stream_length', help: 'Messages the uplink stream held at the last write (exact: from the running totals of its newest and oldest entries)', registers: r });
  const backpressure = new Gauge({ name: 'tw_mqtt_pipeline_backpressure', help: '1 while the uplink stream is over TW_MQTT_UPLINK_MAX_LEN and device publishes are held', registers: r });
  const clusterPeers = new Gauge({ name: 'tw_mqtt_cluster_peers', help: '1 when other broker nodes share this Redis and messages are forwarded to them', registers: r });
  const clusterForwarded = new Counter({ name: 'tw_mqtt_cluster_forwarded_total', help: 'Messages forwarded to (out) and received from (in) other broker nodes', labelNames: ['direction'], registers: r });
  const offlineSessions = new Gauge({ name: 'tw_mqtt_persistent_sessions', help: 'Clients with a persistent session (clean=false) known to the Redis persistence', registers: r });

  const messagesIn = perTypeCounter('tw_mqtt_messages_in_total', 'Accepted PUBLISH packets from clients, by message type', r);
  const bytesIn = perTypeCounter('tw_mqtt_bytes_in_total', 'Payload bytes of accepted PUBLISH packets, by message type', r);
  const messagesOut = perTypeCounter('tw_mqtt_messages_out_total', 'PUBLISH packets delivered to subscribers, by message type', r);
  const bytesOut = perTypeCounter('tw_mqtt_bytes_out_total', 'Payload bytes delivered to subscribers, by message type', r);
  return {
    connections, clients, connectsTotal, disconnects, authFailures, refusals, protocolViolations, limitViolations,
    pipelineEntries, pipelineErrors, pipelineBuffered, uplinkLength, backpressure, clusterPeers, clusterForwarded, offlineSessions,
    messagesIn, bytesIn, messagesOut, bytesOut,
    appended: pipelineEntries.labels('appended') as Bound,
    dropped: pipelineEntries.labels('dropped') as Bound,
    refusedEntries: pipelineEntries.labels('refused') as Bound,
    forwardedOut: clusterForwarded.labels('out') as Bound,
    forwardedIn: clusterForwarded.labels('in') as Bound,
  };
}

export type BrokerMetrics = ReturnType<typeof createBrokerMetrics>;
