import { OperationalError } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';
import { encodeUplinkBatches, type UplinkMessage } from '@tianwang/core/pipeline';
import type { Redis } from 'ioredis';
import type { BrokerMetrics } from '../metrics.js';
import { APPEND_SCRIPT, HELD_SCRIPT, appendScriptArgs } from './append-script.js';

/**
 * Hands accepted uplink messages and presence changes to the Redis stream `pipelineKeys(prefix).uplink`.
 *
 * - Batching: entries queue in memory and go to Redis as one script call per batch (one round trip, one
 *   command to encode, however many entries); up to `maxInflight` batches are pipelined on the one
 *   connection, which Redis executes in order, so the batch grows with the load and order is kept (except
 *   across a failed write, which is retried after later batches may have landed).
 * - Acknowledgement: a QoS 1 entry's callback runs only after Redis answered its batch. The broker calls this
 *   from `authorizePublish`, so a QoS 1 PUBACK is written only once the message is in the stream. A QoS 0
 *   entry is released at once while fewer than `softLimit` entries wait, else it waits for its batch too:
 *   low latency normally, backpressure (not loss) when Redis falls behind.
 * - Redis down: the failed batch goes back to the front and is retried with backoff (at-least-once: a batch
 *   whose reply was lost may be written twice). While Redis fails and entries exceed `maxBuffered`, new QoS 0
 *   entries are dropped (counted, the publisher is not told: QoS 0 is at most once) and new QoS 1 entries fail, so the
 *   publisher is disconnected without PUBACK and resends after reconnecting [MQTT-4.4.0-1].
 * - Backpressure: the append script returns how many messages the stream holds, exactly (append-script.ts).
 *   Above `maxLen` (TW_MQTT_UPLINK_MAX_LEN) no batch is sent (callbacks wait, so aedes stops reading the
 *   publishers' sockets and TCP slows them) until a poll sees it at or below 90 %.
 * - Batch format: core's format 2 (uplink-entry.ts): per entry a count and ONE binary value of u32-length-prefixed
 *   values, at most UPLINK_BATCH_MAX_MESSAGES messages or UPLINK_BATCH_MAX_BYTES each, so the broker builds one
 *   buffer per batch and the payload bytes go from the socket to Redis without a UTF-8 decode and re-encode.
 */

/** An uplink message as the broker has it: the payload may still be the raw bytes received. */
export type UplinkRecord = UplinkMessage;

export type AppendCallback = (err: Error | null) => void;

interface Pending {
  e: UplinkRecord;
  /** 0: may be dropped when the buffer is full; 1: refused instead (the client resends) */
  qos: number;
  cb: AppendCallback | undefined;
}

type RedisWithAppend = Redis & {
  twUplinkAppend(key: string, ...args: (string | Buffer)[]): Promise<number>;
  twUplinkHeld(key: string): Promise<number>;
};

export interface PipelineWriterOptions {
  redis: Redis;
  key: string;
  maxLen: number;
  maxBuffered: number;
  maxBatch?: number;
  maxInflight?: number;
  softLimit?: number;
  log: Logger;
  metrics: BrokerMetrics;
}

/** Redis is away and the buffer holds all it may: the publish is refused unacknowledged, the device sends it again. */
export class BufferFullError extends OperationalError {
  constructor() {
    super('TW_BUFFER_FULL', 'uplink buffer full (Redis unreachable): not acknowledged');
  }
}

export class PipelineWriter {
  private queue: Pending[] = [];
  private inflight = 0;
  private inflightEntries = 0;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private blocked = false;
  private closed = false;
  private readonly redis: RedisWithAppend;
  private readonly maxBatch: number;
  private readonly maxInflight: number;
  private readonly softLimit: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: PipelineWriterOptions) {
    this.redis = opts.redis as RedisWithAppend;
    this.redis.defineCommand('twUplinkAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
    this.redis.defineCommand('twUplinkHeld', { numberOfKeys: 1, lua: HELD_SCRIPT });
    this.maxBatch = opts.maxBatch ?? 2000;
    this.maxInflight = opts.maxInflight ?? 4;
    this.softLimit = Math.min(opts.softLimit ?? 5000, opts.maxBuffered);
  }

  /** entries in memory: queued plus in batches Redis has not answered yet */
  get buffered(): number {
    return this.queue.length + this.inflightEntries;
  }

  get backpressure(): boolean {
    return this.blocked;
  }

  append(entry: UplinkRecord, qos: number, cb?: AppendCallback): void {
    // Only while Redis is failing: a healthy but busy Redis slows publishers (their callbacks wait) instead
    if (this.failures > 0 && this.buffered >= this.opts.maxBuffered) {
      if (qos === 0) {
        this.opts.metrics.dropped.inc();
        cb?.(null);
      } else {
        this.opts.metrics.refusedEntries.inc();
        cb?.(new BufferFullError());
      }
      return;
    }
    if (qos === 0 && cb && this.buffered < this.softLimit && !this.blocked && this.failures === 0) {
      this.queue.push({ e: entry, qos, cb: undefined });
      this.schedule();
      cb(null);
      return;
    }
    this.queue.push({ e: entry, qos, cb });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.inflight >= this.maxInflight || this.retryTimer || this.blocked || this.closed) return;
    this.scheduled = true;
    // setImmediate: every packet of the socket chunk being parsed now joins this batch
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inflight >= this.maxInflight || this.blocked || this.queue.length === 0) {
      if (this.queue.length === 0) this.notifyIdle();
      return;
    }
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    const args = appendScriptArgs(encodeUplinkBatches(batch));
    this.inflight++;
    this.inflightEntries += batch.length;
    if (this.queue.length > 0) this.schedule();
    let length: number;
    try {
      length = await this.redis.twUplinkAppend(this.opts.key, ...args);
    } catch (err) {
      this.inflight--;
      this.inflightEntries -= batch.length;
      this.failures++;
      this.opts.metrics.pipelineErrors.inc();
      this.queue = batch.concat(this.queue);
      if (this.closed) return this.failAll(err as Error);
      if (this.retryTimer) return;
      const delay = Math.min(2000, 50 * 2 ** Math.min(this.failures, 6));
      if (this.failures === 1 || this.failures % 20 === 0) this.opts.log.warn({ err, buffered: this.queue.length, retryInMs: delay }, 'uplink write to Redis failed; retrying');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        void this.flush();
      }, delay);
      return;
    }
    this.inflight--;
    this.inflightEntries -= batch.length;
    if (this.failures > 0) this.opts.log.info({ afterFailures: this.failures }, 'uplink writes to Redis recovered');
    this.failures = 0;
    this.opts.metrics.appended.inc(batch.length);
    this.opts.metrics.uplinkLength.set(length);
    if (length > this.opts.maxLen) this.block(length);
    for (const e of batch) e.cb?.(null);
    if (this.queue.length > 0) this.schedule();
    else this.notifyIdle();
  }

  private block(length: number): void {
    if (this.blocked) return;
    this.blocked = true;
    this.opts.metrics.backpressure.set(1);
    this.opts.log.warn({ length, maxLen: this.opts.maxLen }, 'uplink stream over its maximum: holding device publishes until consumers catch up');
    const poll = async () => {
      this.pollTimer = undefined;
      if (this.closed) return;
      try {
        const len = await this.redis.twUplinkHeld(this.opts.key);
        this.opts.metrics.uplinkLength.set(len);
        if (len <= this.opts.maxLen * 0.9) {
          this.blocked = false;
          this.opts.metrics.backpressure.set(0);
          this.opts.log.info({ length: len }, 'uplink stream below its maximum again: resuming');
          this.schedule();
          return;
        }
      } catch {
        /* Redis down: keep polling */
      }
      this.pollTimer = setTimeout(poll, 250);
    };
    this.pollTimer = setTimeout(poll, 250);
  }

  /** Resolves when everything queued so far reached Redis (or failed for good at close). */
  drain(timeoutMs = 5000): Promise<void> {
    if (this.queue.length === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.inflight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private failAll(err: Error): void {
    const q = this.queue;
    this.queue = [];
    for (const e of q) e.cb?.(err);
    this.notifyIdle();
  }

  /** Tries to write what is queued (bounded by timeoutMs), then refuses the rest. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    if (this.blocked) {
      this.blocked = false;
      this.schedule();
    }
    await this.drain(timeoutMs);
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pollTimer);
    this.retryTimer = undefined;
    this.failAll(new Error('broker stopping'));
  }
}
