/**
 * Writes points to InfluxDB in batches and reports, per batch, which stream entries are now safely stored so
 * that they can be acknowledged (ack after write: a worker that dies before the ack loses nothing, its
 * entries are delivered again and rewritten, which is harmless because a point is identified by its
 * measurement, tags and time).
 *
 * Each batch goes through its own short-lived WriteApi of @influxdata/influxdb-client: the client serializes
 * nothing (we hand it the batch as one ready line-protocol record) but keeps its HTTP handling and retries with backoff,
 * and a per-batch WriteApi lets us know exactly when *these* lines were written (the shared WriteApi's
 * callbacks cannot tell one batch from another). When the client gives up (InfluxDB down for longer than
 * its retry budget) the batch goes back to the front of the queue and is tried again after a pause: it is
 * never dropped. A 400 (InfluxDB refuses some or all of the data itself) is resolved line by line: which lines
 * were refused, with the server's reason, and the rest counted as written (write-refusals.ts).
 *
 * Lines carry their time in nanoseconds (precision=ns; see line-protocol.ts and server-time.ts).
 */
import { HttpError, type InfluxDB } from '@influxdata/influxdb-client';
import { findRefused, refusalMessage, type Refusal } from './write-refusals.js';

export interface WriterOptions {
  database: string;
  org: string;
  batchSize: number;
  flushMs: number;
  concurrency: number;
  retryMaxMs: number;
  /** bodies larger than this many bytes are gzipped; 0: never */
  gzipBytes?: number;
  /** how long the client retries one batch before handing it back to us */
  clientRetryBudgetMs?: number;
}

export interface Batch {
  lines: string[];
  /** per line, its stream entry id and the message's index in that entry */
  ids: string[];
  indexes: number[];
  /** receive time of the oldest entry in the batch (ms): for the end-to-end latency metric */
  oldestReceivedAt: number;
  queuedAt: number;
  attempts: number;
}

export interface WriterHooks {
  written(batch: Batch, seconds: number): void;
  /** InfluxDB refused these lines of the batch (HTTP 400); every other line of it was written */
  refused(batch: Batch, refusals: Refusal[], seconds: number): void;
  /** a failed attempt; the batch will be tried again */
  failed(batch: Batch, err: Error, willRetry: boolean): void;
}

/** InfluxDB answered 400: it refused some or all of the lines (`body`: its answer). */
export class PermanentWriteError extends Error {
  constructor(readonly body: string) {
    super(`InfluxDB refused lines: ${refusalMessage(body).slice(0, 300)}`);
  }
}

export class InfluxWriter {
  private readonly queue: Batch[] = [];
  private queuedLines = 0;
  private inFlight = new Set<Batch>();
  private timer: NodeJS.Timeout | undefined;
  private pausedUntil = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly client: InfluxDB,
    private readonly opts: WriterOptions,
    private readonly hooks: WriterHooks,
  ) {}

  /** Entries queued or being written (the backlog). */
  get held(): number {
    let n = this.queuedLines;
    for (const b of this.inFlight) n += b.lines.length;
    return n;
  }

  /** true while InfluxDB writes are failing (the last attempt failed) */
  get failing(): boolean {
    return this.pausedUntil > Date.now();
  }

  /** Every stream id held, with the time it was queued (for the reclaim heartbeat). */
  *heldBatches(): Iterable<Batch> {
    yield* this.inFlight;
    yield* this.queue;
  }

  add(lines: string[], ids: string[], indexes: number[], oldestReceivedAt: number): void {
    if (!lines.length) return;
    const now = Date.now();
    const size = this.opts.batchSize;
    for (let i = 0; i < lines.length; i += size) {
      const b: Batch = { lines: lines.slice(i, i + size), ids: ids.slice(i, i + size), indexes: indexes.slice(i, i + size), oldestReceivedAt, queuedAt: now, attempts: 0 };
      this.queue.push(b);
      this.queuedLines += b.lines.length;
    }
    this.pump();
  }

  /** Sends what is due: full batches at once, partial ones once the oldest has waited flushMs. */
  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    while (this.queue.length && this.inFlight.size < this.opts.concurrency && now >= this.pausedUntil) {
      const due = this.queuedLines >= this.opts.batchSize || now - this.queue[0]!.queuedAt >= this.opts.flushMs || this.draining;
      if (!due) break;
      this.send(this.takeBatch());
    }
    this.schedule();
  }

  private draining = false;

  /** Merges queued chunks into one batch of at most batchSize lines. */
  private takeBatch(): Batch {
    const first = this.queue.shift()!;
    this.queuedLines -= first.lines.length;
    while (this.queue.length && first.lines.length + this.queue[0]!.lines.length <= this.opts.batchSize) {
      const next = this.queue.shift()!;
      this.queuedLines -= next.lines.length;
      first.lines.push(...next.lines);
      first.ids.push(...next.ids);
      first.indexes.push(...next.indexes);
      first.oldestReceivedAt = Math.min(first.oldestReceivedAt, next.oldestReceivedAt);
    }
    return first;
  }

  private schedule(): void {
    if (this.timer || this.closed || !this.queue.length) return;
    const now = Date.now();
    const at = Math.max(this.pausedUntil, this.queue[0]!.queuedAt + this.opts.flushMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(at - now, 5));
  }

  private send(batch: Batch): void {
    this.inFlight.add(batch);
    batch.attempts++;
    const started = performance.now();
    this.attempt(batch).then(
      (refusals) => {
        this.pausedUntil = 0;
        const seconds = (performance.now() - started) / 1000;
        if (refusals.length) this.hooks.refused(batch, refusals, seconds);
        else this.hooks.written(batch, seconds);
      },
      (err: Error) => {
        // Back to the front, in order, and wait before the next attempt: InfluxDB is down or refusing.
        this.hooks.failed(batch, err, true);
        this.queue.unshift(batch);
        this.queuedLines += batch.lines.length;
        this.pausedUntil = Date.now() + this.opts.retryMaxMs;
      },
    ).finally(() => {
      this.inFlight.delete(batch);
      if (!this.inFlight.size) for (const w of this.idleWaiters.splice(0)) w();
      this.pump();
    });
  }

  /** Writes the batch; resolves with the lines InfluxDB refused (none: all written). */
  private async attempt(batch: Batch): Promise<Refusal[]> {
    try {
      await this.writeLines(batch.lines, batch);
      return [];
    } catch (err) {
      if (!(err instanceof PermanentWriteError)) throw err;
      return findRefused(batch.lines, refusalMessage(err.body), (lines) =>
        this.writeLines(lines, batch).then(
          () => undefined,
          (e: unknown) => {
            if (e instanceof PermanentWriteError) return refusalMessage(e.body);
            throw e;
          },
        ),
      );
    }
  }

  private writeLines(lines: string[], batch: Batch): Promise<void> {
    const maxRetries = 20;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        api.dispose();
        if (err) reject(err);
        else resolve();
      };
      const hooks = this.hooks;
      const api = this.client.getWriteApi(this.opts.org, this.opts.database, 'ns', {
        batchSize: 2,
        flushInterval: 0,
        maxBatchBytes: 1 << 30,
        maxBufferLines: 4,
        maxRetries,
        maxRetryTime: this.opts.clientRetryBudgetMs ?? 60_000,
        minRetryDelay: 500,
        maxRetryDelay: this.opts.retryMaxMs,
        exponentialBase: 2,
        retryJitter: 200,
        randomRetry: true,
        // the client gzips any body over 1,000 bytes by default: CPU on both sides for nothing on a fast link
        gzipThreshold: this.opts.gzipBytes ? this.opts.gzipBytes : Number.MAX_SAFE_INTEGER,
        writeSuccess: () => settle(),
        writeFailed(error, _lines, attempt, expires) {
          if (error instanceof HttpError && error.statusCode === 400) {
            settle(new PermanentWriteError(error.body ?? error.message));
            return;
          }
          // Mirrors the client's own decision (WriteApiImpl): network errors and 429/5xx are retried.
          const retriable = !(error instanceof HttpError) || error.statusCode >= 429;
          const willRetry = retriable && attempt <= maxRetries && Date.now() < expires;
          if (willRetry) hooks.failed(batch, error, true);
          else settle(error);
        },
        writeRetrySkipped: () => settle(new Error('batch dropped from the client retry buffer')),
      });
      // One record holding the whole body: the client's buffer then measures and joins one string, not thousands.
      api.writeRecord(lines.join('\n'));
      api.flush().catch(() => {
        /* the outcome arrives through writeSuccess / writeFailed */
      });
    });
  }

  /** Writes everything queued and waits for writes in flight (stop()); gives up after timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.pump();
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length || this.inFlight.size) && Date.now() < deadline && !this.failing) {
      await new Promise<void>((r) => {
        this.idleWaiters.push(r);
        setTimeout(r, 100);
      });
      this.pump();
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
