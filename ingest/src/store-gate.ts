/**
 * The order gate of store by exception. A storage decision compares a message with the last value stored for its
 * device, so a device's messages must be decided in the order they were sent: a message decided before an older
 * one of the same device was compared with a value that the older one then replaces in the history, and (say) a
 * door that closed again would be drawn open until its next change. Workers of the consumer group read
 * contiguous runs of the stream, and their scripts may reach Redis in any order; so each script call carries its
 * batch's place in the stream, and Redis (shadow-script.ts) decides a batch only when the entry just before it
 * belongs to a decided batch: the marker keys.ingestDecided holds the last entry id of the newest batch decided.
 * Otherwise the call changes nothing and answers "wait": the worker waits for its own earlier batches, then
 * watches the marker and sends the call again. A worker that died (or lost Redis) between reading a batch and
 * deciding it would hold the others back: after TW_INGEST_STORE_ORDER_WAIT_MS they decide anyway, and that
 * batch, reclaimed later, arrives late (store-decide.ts says what a late message stores).
 */
import type { Redis } from 'ioredis';
import { compareIds } from '@tianwang/core/pipeline';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DecisionOrder {
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly markerKey: string,
    /** how long a batch waits for the batches before it (TW_INGEST_STORE_ORDER_WAIT_MS) */
    readonly waitMs: number,
  ) {}

  /** This worker's batches take turns in read order: `previous` settles when the batch read before this one is decided. */
  enter(): { previous: Promise<void>; done(): void } {
    const previous = this.last;
    let done!: () => void;
    this.last = new Promise<void>((r) => (done = r));
    return { previous, done };
  }

  /**
   * Waits until the entry `prev` (the one before a batch) is decided, polling the marker (1, 2, 4 … 20 ms apart),
   * or until `deadline`. True: the batch's turn has come; false: go ahead anyway.
   */
  async waitFor(prev: string, deadline: number): Promise<boolean> {
    for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
      const decided = await this.redis.get(this.markerKey);
      if (decided === null || compareIds(decided, prev) >= 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(delay);
    }
  }
}
