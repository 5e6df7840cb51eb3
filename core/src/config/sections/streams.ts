import { z } from 'zod';
import { host, port, positiveInt, url, v } from '../define.js';

export const streamsVars = {
  TW_STREAMS_HOST: v(host('0.0.0.0'), 'Address the stream relay binds to.'),
  TW_RTMP_PORT: v(port(1935), 'RTMP ingest for push cameras (rtmp://host:port/live/<cameraId>?token=<publish secret>).'),
  TW_STREAMS_HTTP_PORT: v(port(8000), 'HTTP-FLV / WS-FLV / HLS playback and the relay API.'),
  TW_STREAMS_PUBLIC_URL: v(url(['http', 'https']).optional(), 'Base URL viewers reach the relay at, used in issued play URLs. Unset: taken from the request Host header.'),
  TW_PLAY_URL_TTL_S: v(positiveInt(300, 86_400), 'Lifetime of a signed play URL, seconds.'),
  TW_PUBLIC_VIEWERS_PER_IP: v(positiveInt(4, 1000), 'Concurrent public (consumer) playback sessions allowed per client IP.'),
  TW_PUBLIC_PLAY_URLS_PER_MIN: v(positiveInt(30, 10_000), 'Public play-URL requests allowed per client IP per minute.'),
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
};
