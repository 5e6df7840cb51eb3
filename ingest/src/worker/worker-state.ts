/**
 * What the parts of one ingest worker (read loop, reclaimer, heartbeat, periodic tasks) share while it runs.
 * One object, so each part is a function of its inputs rather than a closure inside the service's start.
 */
export interface WorkerState {
  /** false once a stop began: loops end, retries give up, periodic tasks skip */
  running: boolean;
  /** when a batch of this worker last failed (its entries wait in our own pending list until a reclaim pass) */
  ownFailedAt: number | undefined;
  /** mean messages per entry of recent reads: the read COUNT is in entries, the backlog limit in messages */
  perEntry: number;
}

export const newWorkerState = (): WorkerState => ({ running: false, ownFailedAt: undefined, perEntry: 64 });

/** Entries to ask for so that about `messages` messages arrive, at the recent messages per entry. */
export const entriesFor = (state: WorkerState, messages: number): number => Math.max(1, Math.floor(messages / state.perEntry));

/** Folds one batch's messages per entry into the running mean (weight ½; at most 64, at least 1). */
export function notePerEntry(state: WorkerState, messages: number, entries: number): void {
  state.perEntry = Math.min(64, Math.max(1, state.perEntry * 0.5 + (messages / entries) * 0.5));
}
