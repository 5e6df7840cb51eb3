import { nonNegativeInt, port, positiveInt, v } from '../define.js';

export const ingestVars = {
  TW_INGEST_BATCH_SIZE: v(positiveInt(5000, 100_000), 'Points per InfluxDB write batch.'),
  TW_INGEST_FLUSH_MS: v(positiveInt(200, 60_000), 'Longest a point waits before its batch is written.'),
  TW_INGEST_MAX_BACKLOG: v(positiveInt(2_000_000), 'Most stream entries read but not yet written before ingest stops reading (the rest waits in Redis).'),
  TW_INGEST_METRICS_PORT: v(port(9102), 'Prometheus /metrics of ingest (distributed mode).'),
  TW_INGEST_READ_COUNT: v(positiveInt(2000, 50_000), 'Messages read per XREADGROUP call (the COUNT in entries is this divided by the mean messages per entry of recent reads; an entry holds up to 64).'),
  TW_INGEST_WRITE_CONCURRENCY: v(positiveInt(2, 64), 'InfluxDB write batches in flight at once per ingest process.'),
  TW_INGEST_WRITE_GZIP_BYTES: v(
    nonNegativeInt(0),
    'InfluxDB write bodies larger than this are gzip-compressed; 0 never compresses (it costs ingest about 1.2 µs of CPU per point and InfluxDB more to inflate: worth it only over a slow link).',
  ),
  TW_INGEST_CLAIM_IDLE_MS: v(
    positiveInt(30_000),
    'An entry delivered to a worker and not acknowledged for this long is taken over by another worker (XAUTOCLAIM); a live worker refreshes the entries it still holds well before that.',
  ),
  TW_INGEST_TRIM_INTERVAL_MS: v(positiveInt(5_000), 'How often the uplink stream is trimmed below what every consumer group has acknowledged.'),
  TW_INGEST_STREAM_RETAIN_S: v(
    positiveInt(600),
    'Longest another consumer group (alerts) may lag before its unread entries are trimmed anyway; entries ingest has not written are never trimmed.',
  ),
  TW_INGEST_CLOCK_FUTURE_S: v(positiveInt(300), 'A device timestamp more than this far ahead of the receive time is replaced by a server time (its place in the uplink stream, unique per message) and flagged clock_skew.'),
  TW_INGEST_CLOCK_PAST_S: v(positiveInt(86_400), 'A device timestamp more than this far behind the receive time is replaced by a server time (its place in the uplink stream, unique per message) and flagged clock_skew.'),
  TW_INGEST_DEAD_LETTER_MAX: v(positiveInt(100_000), 'Approximate length the dead-letter stream is capped at (MAXLEN ~).'),
  TW_INGEST_DEAD_LETTER_PER_MIN: v(
    positiveInt(60),
    'Dead letters kept per device per minute; beyond it a flooding device is only counted, so it cannot slow the others down.',
  ),
  TW_INGEST_SHADOW_CHANGES_MAX: v(
    positiveInt(1_000),
    'Approximate length of the shadow change stream (MAXLEN ~), in entries of one ingest batch each (≤ 500 changes of ≈ 100 bytes): 1,000 holds ≤ ≈ 50 MB, and at 20,000 msg/s the last 25 s or more.',
  ),
  TW_INGEST_REGISTRY_TTL_MS: v(positiveInt(30_000), 'How long a device registry lookup (also "unknown device") is cached by ingest.'),
};
