/**
 * What ingest does with the outcome of each InfluxDB batch: metrics, logs and acknowledgements. A batch
 * written whole acknowledges its entries' points at once; of a batch InfluxDB refused in part, the written
 * points are counted as written and the refused ones are parked as dead letters first (refused-points.ts), then
 * acknowledged: nothing acknowledged is lost. Parking is retried while Redis fails (the acknowledgement needs
 * Redis too); at stop the entries stay pending and are reclaimed.
 */
import type { Logger } from '@tianwang/core/log';
import type { Batch, WriterHooks } from './influx-writer.js';
import type { IngestMetrics } from './metrics.js';
import type { EntryAcks } from './processor.js';
import type { RefusedPoint } from './refused-points.js';
import type { Refusal } from './write-refusals.js';

export interface OutcomeDeps {
  metrics: IngestMetrics;
  log: Logger;
  acks: EntryAcks;
  /** acknowledges complete entries */
  ack(ids: string[]): void;
  /** parks refused points; resolves with how many were only counted (rate limit) */
  park(points: RefusedPoint[]): Promise<number>;
  /** keeps a pending job for stop() to wait on */
  track(job: Promise<void>): void;
  running(): boolean;
  /** messages the writer holds (for the log line when writes resume) */
  held(): number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function writeOutcomes(d: OutcomeDeps): WriterHooks & { failingSince(): number | undefined } {
  let failingSince: number | undefined;
  const { metrics, log } = d;

  const parkThenAck = async (batch: Batch, refusals: Refusal[]) => {
    const points = refusals.map((r) => ({ streamId: batch.ids[r.line]!, index: batch.indexes[r.line]!, reason: r.reason, line: batch.lines[r.line]! }));
    for (let attempt = 0; ; attempt++) {
      try {
        const suppressed = await d.park(points);
        if (suppressed) metrics.deadLettersSuppressed.inc(suppressed);
        d.ack(d.acks.done(batch.ids));
        return;
      } catch (err) {
        log.warn({ err, points: points.length }, 'cannot park the points InfluxDB refused yet; retrying');
        if (!d.running()) return;
        await sleep(Math.min(5000, 250 * 2 ** attempt));
      }
    }
  };

  const resumed = () => {
    if (failingSince === undefined) return;
    log.info({ outageS: Math.round((Date.now() - failingSince) / 1000), backlog: d.held() }, 'InfluxDB writes resumed');
    failingSince = undefined;
  };

  return {
    failingSince: () => failingSince,
    written(batch, seconds) {
      resumed();
      metrics.points.inc(batch.lines.length);
      metrics.batchSeconds.observe(seconds);
      metrics.endToEndSeconds.observe(Math.max(0, Date.now() - batch.oldestReceivedAt) / 1000);
      d.ack(d.acks.done(batch.ids));
    },
    refused(batch, refusals, seconds) {
      resumed();
      const written = batch.lines.length - refusals.length;
      metrics.points.inc(written);
      metrics.rejectedPoints.inc(refusals.length);
      metrics.batchSeconds.observe(seconds);
      log.error({ refused: refusals.length, written, reason: refusals[0]?.reason.slice(0, 300) }, 'InfluxDB refused points; they are parked as dead letters (influx_refused)');
      d.track(parkThenAck(batch, refusals));
    },
    failed(batch, err) {
      metrics.writeFailures.inc();
      failingSince ??= Date.now();
      log.debug({ err, points: batch.lines.length, attempts: batch.attempts }, 'InfluxDB write failed; retrying');
    },
  };
}
