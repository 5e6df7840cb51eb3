import type { Logger } from '@tianwang/core/log';
import type { Batch } from '../influx-writer.js';
import type { RawEntry, StreamConsumer } from '../stream-consumer.js';
import { entriesFor, type WorkerState } from './worker-state.js';

const MAX_ROUNDS = 20;

export interface ReclaimDeps {
  consumer: StreamConsumer;
  state: WorkerState;
  /** the writer's batches not yet written (their entries are ours, not idle) and how many messages they hold */
  heldBatches: () => Iterable<Batch>;
  held: () => number;
  claimIdleMs: number;
  maxBacklog: number;
  readCount: number;
  process: (entries: RawEntry[]) => Promise<number>;
  /** counts the messages reclaimed */
  reclaimed: (messages: number) => void;
  log: Logger;
}

/**
 * One reclaim pass: takes over entries another worker (a dead one, or this one after a failed batch) left idle
 * longer than `claimIdleMs`, and processes them whole (messages of an entry written before the worker died are
 * written again: points are idempotent). The pending list is scanned only when something can be idle: a
 * consumer idle past the limit, or our own failed batches once they are old enough; if XINFO fails, it is scanned.
 */
export async function reclaimPass(d: ReclaimDeps): Promise<void> {
  const { consumer, state } = d;
  const failedAt = state.ownFailedAt;
  const ownDue = failedAt !== undefined && Date.now() - failedAt >= d.claimIdleMs;
  if (!ownDue && !(await consumer.anyIdleConsumer(d.claimIdleMs).catch(() => true))) return;
  let cursor = '0-0';
  for (let round = 0; round < MAX_ROUNDS && state.running && d.held() < d.maxBacklog / 2; round++) {
    const res = await consumer.claimIdle(d.claimIdleMs, cursor, entriesFor(state, d.readCount));
    const held = new Set<string>();
    if (res.entries.length) for (const b of d.heldBatches()) for (const id of b.ids) held.add(id);
    const fresh = res.entries.filter(([id]) => !held.has(id));
    if (fresh.length) {
      const messages = await d.process(fresh).catch((err: unknown) => {
        state.ownFailedAt = Date.now(); // now pending in our own list: the next passes must look again
        throw err;
      });
      d.reclaimed(messages);
      d.log.info({ entries: fresh.length, messages }, 'reclaimed idle entries');
    }
    cursor = res.cursor;
    if (cursor === '0-0') {
      // a whole pass: our failed entries up to now are taken (unless another failed meanwhile)
      if (state.ownFailedAt === failedAt) state.ownFailedAt = undefined;
      break;
    }
  }
}
