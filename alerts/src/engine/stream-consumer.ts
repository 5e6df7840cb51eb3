import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import { entriesOfReply, type BufferReplyEntry } from '@tianwang/core/pipeline';

/** Fields as read: binary, so that a batch entry's `b` stays a Buffer (core's uplink-entry.ts). */
export type StreamEntry = [id: string, fields: (string | Buffer)[]];

export interface StreamConsumerOptions {
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  batch: number;
  blockMs: number;
  /** entries another consumer read but did not ack for this long are taken over (a crashed worker) */
  claimIdleMs: number;
  log: Logger;
  /** must resolve only when the entries' effects are durable: the entries are acked right after */
  handle(entries: StreamEntry[]): Promise<void>;
}

/**
 * One consumer of a Redis stream consumer group. Reads its own pending entries first (a restart with the same
 * name), then new ones; periodically takes over entries left pending by a crashed consumer (XAUTOCLAIM). A
 * batch that fails is not acked and is read again after a pause.
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;

  constructor(private readonly o: StreamConsumerOptions) {}

  async start(): Promise<void> {
    try {
      // '$': a new group starts with new entries; history before the first deployment is not re-judged
      await this.o.redis.xgroup('CREATE', this.o.stream, this.o.group, '$', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let backlog = true;
    while (this.running) {
      try {
        if (Date.now() - this.lastClaim > this.o.claimIdleMs / 2) await this.autoclaim();
        const args: (string | number)[] = ['GROUP', this.o.group, this.o.consumer, 'COUNT', this.o.batch, ...(backlog ? [] : ['BLOCK', this.o.blockMs]), 'STREAMS', this.o.stream, backlog ? '0' : '>'];
        const res = (await this.o.redis.callBuffer('XREADGROUP', ...args)) as [Buffer, BufferReplyEntry[]][] | null;
        const entries = entriesOfReply(res?.[0]?.[1]);
        if (backlog && entries.length === 0) {
          backlog = false;
          continue;
        }
        if (!entries.length) continue;
        await this.process(entries);
      } catch (err) {
        if (!this.running) break;
        this.o.log.warn({ err, stream: this.o.stream }, 'stream batch failed; retrying');
        backlog = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async process(entries: StreamEntry[]): Promise<void> {
    // XAUTOCLAIM answers deleted entries as null fields: ack them, nothing to judge
    const live = entries.filter((e) => Array.isArray(e[1]));
    if (live.length) await this.o.handle(live);
    await this.o.redis.xack(this.o.stream, this.o.group, ...entries.map((e) => e[0]));
  }

  private async autoclaim(): Promise<void> {
    this.lastClaim = Date.now();
    const res = (await this.o.redis.callBuffer('XAUTOCLAIM', this.o.stream, this.o.group, this.o.consumer, this.o.claimIdleMs, '0', 'COUNT', this.o.batch)) as [Buffer, BufferReplyEntry[]];
    const entries = entriesOfReply(res?.[1]);
    if (entries.length) {
      this.o.log.info({ stream: this.o.stream, count: entries.length }, 'took over entries of a stopped consumer');
      await this.process(entries);
    }
  }
}
