import { z } from 'zod';
import { host, optionalPort, port, positiveInt, v } from '../define.js';

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
  TW_MQTT_SERVICE_PASSWORD: v(
    z.string().min(16, 'must be at least 16 characters').optional(),
    'Password of the built-in service accounts (ingest, alerts, dashboard, sim-admin). Required in production; generated in development.',
    { secret: true },
  ),
  TW_BROKER_METRICS_PORT: v(port(9101), 'Prometheus /metrics of the broker (distributed mode).'),
};
