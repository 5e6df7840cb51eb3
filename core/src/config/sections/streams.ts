import { z } from 'zod';
import { host, nonNegativeInt, port, positiveInt, url, v } from '../define.js';

export const streamsVars = {
  TW_STREAMS_HOST: v(host('0.0.0.0'), 'Address the stream relay binds to.'),
  TW_RTMP_PORT: v(port(1935), 'RTMP ingest for push cameras (rtmp://host:port/live/<cameraId>?token=<publish secret>).'),
  TW_STREAMS_HTTP_PORT: v(port(8000), 'HTTP-FLV / WS-FLV / HLS playback and the relay API.'),
  TW_STREAMS_PUBLIC_URL: v(url(['http', 'https']).optional(), 'Base URL viewers reach the relay at, used in issued play URLs. Unset: taken from the request Host header.'),
  TW_PLAY_URL_TTL_S: v(positiveInt(300, 86_400), 'Lifetime of a signed play URL, seconds.'),
  TW_PUBLIC_VIEWERS_PER_IP: v(positiveInt(4, 1000), 'Concurrent public (consumer) playback sessions allowed per client IP.'),
  TW_RECORDING_DAYS: v(positiveInt(7, 365), 'Days recordings are kept.'),
  TW_RECORDING_SEGMENT_S: v(positiveInt(60, 3600), 'Length of one recording segment, seconds.'),
  TW_PULL_IDLE_S: v(positiveInt(30, 3600), 'Seconds without viewers before an RTSP pull is stopped.'),
  TW_HLS_IDLE_S: v(positiveInt(30, 3600), 'Seconds without requests before an HLS packager is stopped and its files removed.'),
  TW_CAMERA_HEALTH_INTERVAL_S: v(positiveInt(60, 3600), 'Seconds between two health checks of a camera (online, black, frozen picture).'),
  TW_CAMERA_HEALTH_MODE: v(
    z.enum(['all', 'push', 'off']).default('all'),
    'Which cameras the health monitor checks: all (pull cameras are probed at their source), push only, or off.',
  ),
  TW_STREAMS_METRICS_PORT: v(port(9104), 'Prometheus /metrics of streams (distributed mode).'),
  // tuning: the defaults suit a district; tests shrink the periods through createStreams' tuning argument
  TW_STREAMS_RECONCILE_MS: v(positiveInt(5000, 3_600_000), 'How often recorders are reconciled with cameras and recording hours, ms (also soon after a publisher comes or goes).'),
  TW_STREAMS_CAMERA_REFRESH_MS: v(positiveInt(10_000, 3_600_000), 'How often the relay re-reads cameras from the registry, ms.'),
  TW_STREAMS_WRITE_BATCH_MS: v(nonNegativeInt(100, 1000), "Players' packets are written together every this many ms (at 25 fps about 2.5 frames per write, at most 0.1 s added delay); 0 writes each packet at once."),
  TW_RTMP_DECIDE_WITHIN_MS: v(positiveInt(10_000, 600_000), 'An RTMP connection must have finished handshake, connect and publish/play within this, ms.'),
  TW_RTMP_MAX_PENDING: v(positiveInt(256, 100_000), 'RTMP connections not yet publishing or playing, whole relay.'),
  TW_RTMP_MAX_PENDING_PER_IP: v(positiveInt(32, 100_000), 'RTMP connections not yet publishing or playing, per client address (the relay itself is exempt).'),
  TW_RTMP_PENDING_BUFFER_BYTES: v(positiveInt(64 * 1024, 16 * 1024 * 1024), 'Message buffers an RTMP connection may hold before it is accepted, bytes.'),
  TW_RTMP_PLAYER_BUFFER_BYTES: v(positiveInt(64 * 1024, 16 * 1024 * 1024), 'Message buffers an accepted RTMP player may hold, bytes.'),
  TW_RTMP_PUBLISHER_BUFFER_BYTES: v(positiveInt(16 * 1024 * 1024, 256 * 1024 * 1024), 'Message buffers an accepted RTMP publisher may hold, bytes.'),
  TW_RTMP_MAX_CHUNK_STREAMS: v(positiveInt(16, 1024), 'Chunk streams per RTMP connection (encoders use 3 to 6).'),
  TW_RTMP_REFUSED_LINGER_MS: v(nonNegativeInt(1000, 60_000), 'A refused RTMP connection gets this long to read the error before its socket is destroyed, ms.'),
};
