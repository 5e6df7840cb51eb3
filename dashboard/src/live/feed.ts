import type { Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import { compareIds, type PipelineKeys } from '@tianwang/core/pipeline';
import { shadowFromHash, type DeviceShadow, type ShadowReader } from '@tianwang/ingest';
import type { BoardState } from './board-state.js';

/** How often the change stream's newest id is noted: after a reconnect the feed re-reads from there. */
export const TAIL_EVERY_MS = 5_000;
const PAGE = 1000;

/**
 * The board's one subscription to ingest's shadow change feed (pub/sub, with each telemetry change's values).
 * Pub/sub delivers nothing while a connection is down, so the feed notes the change stream's newest id every
 * few seconds, and when the Redis connection comes back it re-reads what it missed with changesSince() from that
 * id (the board ignores anything older than what it holds, so reading a few changes twice is harmless). When the
 * bounded stream has already dropped entries past that id, it reloads every shadow instead.
 */
export class LiveFeed {
  private lastId = '0-0';
  private unsubscribe: (() => Promise<void>) | undefined;
  private tailTimer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  private wasDisconnected = false;
  private readonly onReady = () => {
    if (!this.wasDisconnected) return;
    void this.resync().catch((err: unknown) => this.log.warn({ err }, 'live feed: resync failed'));
  };
  private readonly onClose = () => {
    this.wasDisconnected = true;
  };

  constructor(
    private readonly shadows: ShadowReader,
    private readonly redis: Redis,
    private readonly keys: PipelineKeys,
    private readonly board: BoardState,
    private readonly log: Logger,
    private readonly tailEveryMs = TAIL_EVERY_MS,
  ) {}

  async start(): Promise<void> {
    // tail first, subscribe, then read every shadow: whatever changes in between is in the shadows or the feed
    this.lastId = await this.tail();
    this.unsubscribe = await this.shadows.subscribe((c) => this.board.applyChange(c), { telemetry: true });
    await this.reload();
    this.redis.on('close', this.onClose);
    this.redis.on('ready', this.onReady);
    this.tailTimer = setInterval(() => {
      if (this.redis.status !== 'ready' || this.resyncing) return;
      this.tail().then((id) => (this.lastId = id), () => {});
    }, this.tailEveryMs);
    this.tailTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.tailTimer);
    this.redis.off('close', this.onClose);
    this.redis.off('ready', this.onReady);
    await this.resyncing?.catch(() => {});
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Re-reads the changes after the last noted id (or every shadow, if the stream no longer holds them). */
  resync(): Promise<void> {
    this.resyncing ??= (async () => {
      try {
        if (await this.trimmedPast(this.lastId)) {
          this.log.info({ after: this.lastId }, 'live feed: change stream trimmed past the gap; reloading every shadow');
          this.lastId = await this.tail();
          await this.reload();
          return;
        }
        let read = 0;
        for (;;) {
          const { lastId, changes } = await this.shadows.changesSince(this.lastId, PAGE, { telemetry: true });
          for (const c of changes) this.board.applyChange(c);
          read += changes.length;
          if (lastId === this.lastId) break;
          this.lastId = lastId;
        }
        this.log.info({ changes: read, lastId: this.lastId }, 'live feed: caught up after reconnect');
      } finally {
        this.resyncing = undefined;
      }
    })();
    return this.resyncing;
  }

  private async tail(): Promise<string> {
    const last = (await this.redis.xrevrange(this.keys.shadowChanges, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last[0]?.[0] ?? '0-0';
  }

  /** Whether MAXLEN trimming removed entries newer than `id` (Redis 7: XINFO STREAM max-deleted-entry-id). */
  private async trimmedPast(id: string): Promise<boolean> {
    let info: unknown[];
    try {
      info = (await this.redis.xinfo('STREAM', this.keys.shadowChanges)) as unknown[];
    } catch {
      return false; // no stream yet
    }
    const at = info.indexOf('max-deleted-entry-id');
    const deleted = at >= 0 ? String(info[at + 1]) : '0-0';
    return compareIds(deleted, id) > 0;
  }

  /** Every device's shadow, read directly. */
  private async reload(): Promise<void> {
    await this.loadShadows(await this.redis.smembers(this.keys.shadowIndex));
  }

  /**
   * Reads the shadows of some devices into the board (with the time of the latest status/presence, for
   * onlineSince): at start, after a gap, and for devices the registry gained since (their changes before that
   * had no row to go to).
   */
  async loadShadows(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const pipe = this.redis.pipeline();
      for (const id of chunk) pipe.hgetall(this.keys.shadow(id));
      const results = (await pipe.exec()) ?? [];
      chunk.forEach((id, j) => {
        const [err, h] = results[j] ?? [];
        if (err) throw err;
        const hash = h as Record<string, string>;
        const s = shadowFromHash(id, hash) as (DeviceShadow & { presenceTs?: number }) | undefined;
        if (!s) return;
        if (hash.presenceTs) s.presenceTs = Number(hash.presenceTs);
        this.board.applyShadow(s);
      });
    }
  }
}
