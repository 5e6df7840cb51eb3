/**
 * One worker's side of the uplink stream consumer group: create the group, read new entries, acknowledge
 * written ones, take over entries a dead worker left pending (XAUTOCLAIM), and refresh the idle time of the
 * entries this worker still holds so that live workers do not steal each other's work during an InfluxDB
 * outage (XCLAIM … JUSTID to itself).
 */
import type { Redis } from 'ioredis';
import { entriesOfReply, type BufferReplyEntry, type BufferStreamEntry } from '@tianwang/core/pipeline';

/** Fields as read: binary (a batch entry's `b` must stay a Buffer; see core's uplink-entry.ts). */
export type RawEntry = BufferStreamEntry;

export interface ConsumerOptions {
  stream: string;
  group: string;
  consumer: string;
}

const CHUNK = 1000;

export function isNoGroupError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('NOGROUP');
}

export class StreamConsumer {
  constructor(
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly o: ConsumerOptions,
  ) {}

  get name(): string {
    return this.o.consumer;
  }

  /** Creates the group (and the stream) if missing; a new group starts at the beginning of the stream. */
  async ensureGroup(group = this.o.group): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.o.stream, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
    }
  }

  /** New entries for this worker; blocks up to blockMs on the reader connection. */
  async read(count: number, blockMs: number): Promise<RawEntry[]> {
    const res = (await this.reader.callBuffer('XREADGROUP', 'GROUP', this.o.group, this.o.consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.o.stream, '>')) as
      | [Buffer, BufferReplyEntry[]][]
      | null;
    return entriesOfReply(res?.[0]?.[1]);
  }

  /** Acknowledges entries; `records`: a hash whose fields of the same ids go too (store by exception's decisions). */
  async ack(ids: string[], records?: string): Promise<void> {
    if (!ids.length) return;
    const pipe = this.redis.pipeline();
    for (let i = 0; i < ids.length; i += CHUNK) {
      pipe.xack(this.o.stream, this.o.group, ...ids.slice(i, i + CHUNK));
      if (records) pipe.hdel(records, ...ids.slice(i, i + CHUNK));
    }
    const results = (await pipe.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
  }

  /**
   * Entries idle for at least minIdleMs in any consumer's pending list, now this worker's. Entries deleted
   * from the stream meanwhile are dropped from the pending list by Redis itself.
   */
  async claimIdle(minIdleMs: number, cursor: string, count: number): Promise<{ cursor: string; entries: RawEntry[] }> {
    const res = (await this.redis.callBuffer('XAUTOCLAIM', this.o.stream, this.o.group, this.o.consumer, minIdleMs, cursor, 'COUNT', count)) as [Buffer, BufferReplyEntry[], Buffer[]?];
    return { cursor: res[0].toString(), entries: entriesOfReply(res[1]) };
  }

  /**
   * Whether a reclaim pass can find anything: some consumer of the group holds pending entries and has not
   * touched the group for minIdleMs (a live worker reads every second and refreshes what it holds, so only a
   * dead one qualifies). XINFO CONSUMERS is O(consumers), while XAUTOCLAIM scans up to 10 × COUNT pending
   * entries per call: with tens of thousands pending at 20,000 msg/s that blocked Redis ~45 ms per call.
   */
  async anyIdleConsumer(minIdleMs: number): Promise<boolean> {
    const rows = (await this.redis.xinfo('CONSUMERS', this.o.stream, this.o.group)) as unknown[][];
    for (const row of rows) {
      const pending = Number(row[row.indexOf('pending') + 1]);
      const idle = Number(row[row.indexOf('idle') + 1]);
      if (pending > 0 && !(idle < minIdleMs)) return true;
    }
    return false;
  }

  /** Resets the idle time of entries this worker holds (it is alive and still working on them). */
  async touch(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const pipe = this.redis.pipeline();
    for (let i = 0; i < ids.length; i += CHUNK) pipe.xclaim(this.o.stream, this.o.group, this.o.consumer, 0, ...ids.slice(i, i + CHUNK), 'JUSTID');
    await pipe.exec();
  }

  /** Removes this worker from the group (clean stop) when it holds nothing. */
  async leave(): Promise<void> {
    const pending = (await this.redis.xpending(this.o.stream, this.o.group, '-', '+', 1, this.o.consumer)) as unknown[];
    if (!pending.length) await this.redis.xgroup('DELCONSUMER', this.o.stream, this.o.group, this.o.consumer);
  }
}
