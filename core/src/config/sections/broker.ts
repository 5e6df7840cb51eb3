import { z } from 'zod';
import { bool, host, optionalPort, port, positiveInt, v } from '../define.js';

export const brokerVars = {
  TW_MQTT_HOST: v(host('0.0.0.0'), 'Address the MQTT listeners bind to.'),
  TW_MQTT_PORT: v(port(1883), 'MQTT over TCP.'),
  TW_MQTTS_PORT: v(optionalPort(), 'MQTT over TLS; needs TW_MQTT_TLS_CERT_FILE and TW_MQTT_TLS_KEY_FILE. Unset: off.'),
  TW_MQTT_TLS_CERT_FILE: v(z.string().optional(), 'PEM certificate (chain) for MQTT over TLS.'),
  TW_MQTT_TLS_KEY_FILE: v(z.string().optional(), 'PEM private key for MQTT over TLS.'),
  TW_MQTT_WS_PORT: v(optionalPort(), 'MQTT over WebSocket (path /mqtt). Unset: off.'),
  TW_MQTT_MAX_PACKET_BYTES: v(positiveInt(8192, 268_435_455), 'Largest MQTT packet accepted; a client that sends a larger one is disconnected.'),
  TW_MQTT_MAX_CONNECTIONS: v(positiveInt(50_000), 'Most concurrent client connections per broker node.'),
  TW_MQTT_PUBLISH_RATE: v(positiveInt(50), 'Publishes per second a device may sustain (burst: 2 s worth); a flooding client is disconnected.'),
  TW_MQTT_AUTH_CACHE_MS: v(positiveInt(5000), 'How long a verified device credential is cached; disabling or revoking a device takes effect within this time.'),
  TW_MQTT_LOGIN_FAILURE_RATE: v(positiveInt(5, 10_000), 'Failed logins per second answered per source address (IPv6: per /64), sustained; a refusal beyond it waits until the source has budget again, however many are sent in parallel. Successful logins are answered at once and neither use nor refill the budget.'),
  TW_MQTT_LOGIN_FAILURE_BURST: v(positiveInt(20, 100_000), 'Failed logins a source address may have answered at once before TW_MQTT_LOGIN_FAILURE_RATE applies.'),
  TW_MQTT_LOGIN_PENDING_MAX: v(positiveInt(256, 100_000), 'Unauthenticated connections one source address may hold at once (not yet logged in, or waiting for the answer to a failed login); more are closed before anything is read from them.'),
  TW_MQTT_UPLINK_MAX_LEN: v(positiveInt(2_000_000), 'Backpressure: when the uplink stream holds more messages than this (counted exactly; consumers far behind, or a lagging group within TW_INGEST_STREAM_RETAIN_S), the broker stops acknowledging and reading device publishes until it holds 90 % of it.'),
  TW_MQTT_PIPELINE_BUFFER: v(positiveInt(50_000), 'Uplink entries held in memory while Redis is unreachable; past it QoS 0 messages are dropped (counted) and QoS 1 publishers are disconnected unacknowledged, so they resend.'),
  TW_MQTT_SIM_ADMIN: v(bool(false), 'Allow the sim-admin service account (simulator load scenarios may publish on any device\'s uplink topics). Keep off in production.'),
  TW_MQTT_NODE_ID: v(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1–40 of A-Z a-z 0-9 _ -').optional(), 'Name of this broker node in a cluster (logs, metrics, will ownership). Unset: a random id per start.'),
  TW_MQTT_SERVICE_PASSWORD: v(
    z.string().min(16, 'must be at least 16 characters').optional(),
    'Master password of the built-in service accounts (ingest, alerts, dashboard, sim-admin); each account logs in as svc:<account> with servicePassword(master, account) from @tianwang/broker. Required in production; generated in development.',
    { secret: true },
  ),
  TW_BROKER_METRICS_PORT: v(port(9101), 'Prometheus /metrics of the broker (distributed mode).'),
};
