import type { Logger } from '@tianwang/core/log';
import { isNoGroupError, type RawEntry, type StreamConsumer } from '../stream-consumer.js';
import { entriesFor, notePerEntry, type WorkerState } from './worker-state.js';

/**
 * Up to MAX_PROCESSING batches overlap: the next read and validation run while Redis answers the previous
 * batch's shadow/dead-letter pipeline (one connection keeps their order). Awaiting each one made the loop wait
 * on round trips, and the backlog piled up in the stream with CPU to spare.
 */
export const MAX_PROCESSING = 4;
const READ_BLOCK_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReadLoopDeps {
  consumer: StreamConsumer;
  state: WorkerState;
  /** messages read and not yet written (the writer's backlog) */
  held: () => number;
  maxBacklog: number;
  /** most messages one read asks for */
  readCount: number;
  /** validates, writes the shadow and queues the points; resolves with the number of messages */
  process: (entries: RawEntry[]) => Promise<number>;
  log: Logger;
}

/**
 * Reads the uplink stream as this group member until `state.running` turns false, never holding more than
 * `maxBacklog` messages; resolves once the batches in flight are processed. A batch that fails stays pending in
 * the group and is reclaimed (by any worker) after the idle time (reclaimer.ts).
 */
export async function runReadLoop(d: ReadLoopDeps): Promise<void> {
  const { consumer, state, log } = d;
  const processing = new Set<Promise<unknown>>();
  while (state.running) {
    const room = d.maxBacklog - d.held();
    if (room <= 0) {
      await sleep(50);
      continue;
    }
    let entries: RawEntry[];
    try {
      entries = await consumer.read(entriesFor(state, Math.min(d.readCount, room)), READ_BLOCK_MS);
    } catch (err) {
      if (!state.running) break;
      if (isNoGroupError(err)) await consumer.ensureGroup().catch(() => {});
      else log.warn({ err }, 'stream read failed');
      await sleep(500);
      continue;
    }
    if (!entries.length) continue;
    const job = d.process(entries).then(
      (messages) => notePerEntry(state, messages, entries.length),
      async (err: unknown) => {
        state.ownFailedAt = Date.now();
        log.warn({ err, entries: entries.length }, 'batch not processed; it will be reclaimed');
        await sleep(500);
      },
    );
    processing.add(job);
    void job.finally(() => processing.delete(job));
    if (processing.size >= MAX_PROCESSING) await Promise.race(processing);
  }
  await Promise.all(processing);
}
