/**
 * Redis key names shared between services. Every key starts with a prefix (default "tw") so that tests and
 * several deployments can share one Redis without colliding: pass a fresh prefix per test.
 */
export interface PipelineKeys {
  /** stream: every accepted uplink message (telemetry, event, status, presence), appended by the broker */
  uplink: string;
  /** stream: messages ingest refused, with the reason */
  deadLetter: string;
  /** hash per device: latest values, last-seen, online state */
  shadow: (deviceId: string) => string;
  /** set of device ids that have a shadow */
  shadowIndex: string;
  /** pub/sub channel: shadow changes, JSON per message (for the dashboard's live board) */
  shadowFeed: string;
  /** stream: shadow changes, for consumers that must not miss any (bounded) */
  shadowChanges: string;
  /** hash: invalid message counts per "deviceId|reason" */
  invalidCounts: string;
  /** stream: camera health changes from streams/ (offline, blank, frozen, ok), read by alerts */
  cameraEvents: string;
  /** prefix for BullMQ queues */
  bullPrefix: string;
  /** key prefix of the broker's MQTT persistence (aedes-persistence-redis: sessions, retained, offline queues) */
  mqttPersistence: string;
  /** pub/sub channel between broker nodes (messages for clients on other nodes) */
  mqttBus: string;
}

export const CONSUMER_GROUPS = { ingest: 'ingest', alerts: 'alerts' } as const;

export function pipelineKeys(prefix = 'tw'): PipelineKeys {
  return {
    uplink: `${prefix}:uplink`,
    deadLetter: `${prefix}:deadletter`,
    shadow: (deviceId) => `${prefix}:shadow:${deviceId}`,
    shadowIndex: `${prefix}:shadow-index`,
    shadowFeed: `${prefix}:feed:shadow`,
    shadowChanges: `${prefix}:changes:shadow`,
    invalidCounts: `${prefix}:invalid-counts`,
    cameraEvents: `${prefix}:camera-events`,
    bullPrefix: `${prefix}:bull`,
    mqttPersistence: `${prefix}:mqtt:`,
    mqttBus: `${prefix}:mqtt-bus`,
  };
}
