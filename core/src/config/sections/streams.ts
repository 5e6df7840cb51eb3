import { host, port, positiveInt, v } from '../define.js';

export const streamsVars = {
  TW_STREAMS_HOST: v(host('0.0.0.0'), 'Address the stream relay binds to.'),
  TW_RTMP_PORT: v(port(1935), 'RTMP ingest for push cameras.'),
  TW_STREAMS_HTTP_PORT: v(port(8000), 'HTTP-FLV / WS-FLV / HLS playback and the relay API.'),
  TW_PLAY_URL_TTL_S: v(positiveInt(300, 86_400), 'Lifetime of a signed play URL, seconds.'),
  TW_RECORDING_DAYS: v(positiveInt(7, 365), 'Days recordings are kept.'),
  TW_PULL_IDLE_S: v(positiveInt(30, 3600), 'Seconds without viewers before an RTSP pull is stopped.'),
  TW_STREAMS_METRICS_PORT: v(port(9104), 'Prometheus /metrics of streams (distributed mode).'),
};
