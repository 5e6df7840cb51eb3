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
  /**
   * string: the id of the last uplink entry of every batch whose storage decisions are made (store by exception):
   * ingest workers decide batches in stream order (ingest/src/store-gate.ts)
   */
  ingestDecided: string;
  /**
   * hash: per uplink entry id, the storage decisions made for its messages, kept until the entry is acknowledged,
   * so that an entry delivered again (its worker died before writing) is stored exactly as decided
   */
  ingestDecisions: string;
  /** hash: invalid message counts per "deviceId|reason" */
  invalidCounts: string;
  /** stream: camera health changes from streams/ (offline, blank, frozen, ok), read by alerts */
  cameraEvents: string;
  /** hash per camera: its latest health (state, reason, since), written by streams/ */
  cameraHealth: (cameraId: string) => string;
  /** prefix for BullMQ queues */
  bullPrefix: string;
  /** string per dashboard session, named by the SHA-256 (hex) of the session id: JSON of the session, idle TTL */
  session: (idHash: string) => string;
  /** set per user: the hashes of its sessions, so that disabling the user or a password change revokes them all */
  userSessions: (userId: string) => string;
  /** pub/sub channel: hashes of dashboard sessions ended (sign-out, revocation), comma-separated, for every process's session cache */
  sessionsEnded: string;
  /** counter of failed sign-ins per account (username) or per client address, expiring with the throttle window */
  loginFailures: (by: 'account' | 'address', key: string) => string;
  /** counter of public-page requests per client address and minute (dashboard: TW_PUBLIC_REQUESTS_PER_MIN) */
  publicHits: (address: string, minute: number) => string;
  /** sorted set per kitchen: its public live viewers (member: a random viewer id, score: when the grant ends) */
  publicViewers: (kitchenId: string) => string;
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
    ingestDecided: `${prefix}:ingest:decided`,
    ingestDecisions: `${prefix}:ingest:decisions`,
    invalidCounts: `${prefix}:invalid-counts`,
    cameraEvents: `${prefix}:camera-events`,
    cameraHealth: (cameraId) => `${prefix}:camera-health:${cameraId}`,
    bullPrefix: `${prefix}:bull`,
    session: (idHash) => `${prefix}:session:${idHash}`,
    userSessions: (userId) => `${prefix}:user-sessions:${userId}`,
    sessionsEnded: `${prefix}:sessions-ended`,
    loginFailures: (by, key) => `${prefix}:login-fail:${by}:${key}`,
    publicHits: (address, minute) => `${prefix}:public-hits:${address}:${minute}`,
    publicViewers: (kitchenId) => `${prefix}:public-viewers:${kitchenId}`,
    mqttPersistence: `${prefix}:mqtt:`,
    mqttBus: `${prefix}:mqtt-bus`,
  };
}
