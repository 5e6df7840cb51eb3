import { port, positiveInt, v } from '../define.js';

export const ingestVars = {
  TW_INGEST_BATCH_SIZE: v(positiveInt(5000, 100_000), 'Points per InfluxDB write batch.'),
  TW_INGEST_FLUSH_MS: v(positiveInt(200, 60_000), 'Longest a point waits before its batch is written.'),
  TW_INGEST_MAX_BACKLOG: v(positiveInt(2_000_000), 'Most stream entries read but not yet written before ingest stops reading (the rest waits in Redis).'),
  TW_INGEST_METRICS_PORT: v(port(9102), 'Prometheus /metrics of ingest (distributed mode).'),
};
