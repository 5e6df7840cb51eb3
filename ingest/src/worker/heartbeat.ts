import type { Batch } from '../influx-writer.js';
import type { StreamConsumer } from '../stream-consumer.js';

/** How often entries held in the writer get their idle time reset: a third of the claim idle time (at least 200 ms). */
export const heartbeatEvery = (claimIdleMs: number): number => Math.max(200, Math.floor(claimIdleMs / 3));

/**
 * The heartbeat: entries this worker still holds (batches waiting for InfluxDB) get their idle time in the group
 * reset, so no other worker reclaims and writes them again while an outage lasts. A batch is touched at most once
 * per period. Returns one beat, for a periodic task.
 */
export function heartbeat(consumer: StreamConsumer, heldBatches: () => Iterable<Batch>, everyMs: number): () => Promise<void> {
  const touchedAt = new WeakMap<Batch, number>();
  return async () => {
    const now = Date.now();
    const ids = new Set<string>();
    for (const b of heldBatches()) {
      if (now - (touchedAt.get(b) ?? b.queuedAt) < everyMs) continue;
      touchedAt.set(b, now);
      for (const id of b.ids) ids.add(id);
    }
    await consumer.touch([...ids]);
  };
}
