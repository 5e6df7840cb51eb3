/** Prometheus metrics of one ingest instance (a fresh registry per instance: tests run several in one process). */
import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetricsRegistry, type Registry } from '@tianwang/core/metrics';

export interface IngestMetrics {
  registry: Registry;
  messages: Counter<'result'>;
  invalid: Counter<'reason'>;
  clockSkew: Counter;
  points: Counter;
  batchSeconds: Histogram;
  endToEndSeconds: Histogram;
  backlog: Gauge;
  writeFailures: Counter;
  rejectedPoints: Counter;
  reclaimed: Counter;
  deadLettersSuppressed: Counter;
  trimmed: Counter;
}

export function createIngestMetrics(): IngestMetrics {
  const registry = createMetricsRegistry('ingest', true);
  const r = [registry];
  return {
    registry,
    messages: new Counter({ name: 'ingest_messages_total', help: 'Uplink messages processed (a stream entry holds one or several), by result (valid, invalid)', labelNames: ['result'], registers: r }),
    invalid: new Counter({ name: 'ingest_invalid_messages_total', help: 'Refused messages by reason (per device: the invalid-counts hash in Redis)', labelNames: ['reason'], registers: r }),
    clockSkew: new Counter({ name: 'ingest_clock_skew_total', help: 'Messages whose device time was off and was replaced by a server time (unique per message, see server-time.ts)', registers: r }),
    points: new Counter({ name: 'ingest_points_written_total', help: 'Points written to InfluxDB', registers: r }),
    batchSeconds: new Histogram({
      name: 'ingest_batch_write_seconds',
      help: 'Latency of one successful InfluxDB batch write',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    endToEndSeconds: new Histogram({
      name: 'ingest_receive_to_written_seconds',
      help: 'From broker receive time to the InfluxDB write of the oldest entry in each batch',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: r,
    }),
    backlog: new Gauge({ name: 'ingest_backlog_messages', help: 'Messages (points) read from the stream and not yet written to InfluxDB (one stream entry holds up to 64 messages)', registers: r }),
    writeFailures: new Counter({ name: 'ingest_write_failures_total', help: 'Failed InfluxDB write attempts (each is retried)', registers: r }),
    rejectedPoints: new Counter({ name: 'ingest_points_rejected_total', help: 'Points InfluxDB refused (HTTP 400, found line by line): parked as dead letters (influx_refused), then acknowledged', registers: r }),
    reclaimed: new Counter({ name: 'ingest_reclaimed_messages_total', help: 'Messages in the stream entries taken over from a worker that stopped acknowledging', registers: r }),
    deadLettersSuppressed: new Counter({ name: 'ingest_dead_letters_suppressed_total', help: 'Invalid messages counted but not parked (per-device rate limit)', registers: r }),
    trimmed: new Counter({ name: 'ingest_stream_trimmed_total', help: 'Stream entries (of up to 64 messages) trimmed from the uplink stream', registers: r }),
  };
}
