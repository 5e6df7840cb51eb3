import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry as MetricsRegistry } from 'prom-client';
import type { Logger } from '@tianwang/core/log';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { Registry } from '@tianwang/core/registry';
import type { ShadowReader } from '@tianwang/ingest';
import type { SessionStore } from '../auth/sessions.js';
import { localDay } from './board-row.js';
import { BoardIndex } from './board-index.js';
import { BoardState } from './board-state.js';
import { LiveFeed } from './feed.js';
import { Fanout } from './fanout.js';
import { loadActiveAlarmCounts, loadRegistryRows, registryFingerprint } from './registry-rows.js';

/** Even when nothing seems to have changed, the whole registry is re-read this often (district names, renames). */
const FULL_EVERY_MS = 5 * 60_000;

export interface LiveBoardOptions {
  registry: Registry;
  shadows: ShadowReader;
  redis: Redis;
  keys: PipelineKeys;
  sessions: SessionStore;
  timezone: string;
  /** registry re-read period (TW_BOARD_REFRESH_S) */
  refreshMs: number;
  /** coalescing period of live updates (default 1000 ms: "coalesced per device per second") */
  flushMs?: number;
  /** SSE keep-alive comment period, and how often each stream's session is checked (default 15 s) */
  pingMs?: number;
  metrics: MetricsRegistry;
  log: Logger;
}

export interface LiveBoard {
  board: BoardState;
  /** the board's rows per scope and sort order, kept between requests (the list and the counters read it) */
  index: BoardIndex;
  fanout: Fanout;
  feed: LiveFeed;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** re-read the registry now (after a write through the API), without waiting for the next period */
  refreshSoon(): void;
  /** ends every live stream (shutdown) */
  closeClients(reason: string): void;
}

/**
 * The live board of one dashboard process: the in-memory board state, the one shadow feed subscription that
 * keeps it current, the registry refresh, and the fan-out to SSE clients once per flush period.
 */
export function createLiveBoard(o: LiveBoardOptions): LiveBoard {
  const board = new BoardState();
  const fanout = new Fanout();
  const feed = new LiveFeed(o.shadows, o.redis, o.keys, board, o.log);
  const timers: NodeJS.Timeout[] = [];
  const updates = new Counter({ name: 'dashboard_live_updates_total', help: 'Coalesced device updates sent to live clients (once per update, whatever the number of clients)', registers: [o.metrics] });
  new Gauge({ name: 'dashboard_live_clients', help: 'Connected live (SSE) clients', registers: [o.metrics], collect() { this.set(fanout.clients); } });
  new Gauge({ name: 'dashboard_board_devices', help: 'Devices on the in-memory board', registers: [o.metrics], collect() { this.set(board.size); } });
  let refreshing: Promise<void> | undefined;
  let again = false;
  let fingerprint = '';
  let fullAt = 0;
  let day = '';

  /** One refresh: the whole registry when it changed (or was asked for), else only the active alarm counts. */
  const refreshOnce = async (force: boolean) => {
    const fp = await registryFingerprint(o.registry.db);
    const today = localDay(o.timezone);
    if (force || fp !== fingerprint || today !== day || Date.now() - fullAt > FULL_EVERY_MS) {
      const rows = await loadRegistryRows(o.registry.db);
      const added = fullAt ? rows.filter((r) => !board.get(r.id)).map((r) => r.id) : [];
      board.setRegistry(rows, today);
      fingerprint = fp;
      day = today;
      fullAt = Date.now();
      // a device registered since the last read may have reported already: its shadow holds what the feed had no row for
      if (added.length) await feed.loadShadows(added);
    } else {
      board.setAlarmCounts(await loadActiveAlarmCounts(o.registry.db));
    }
  };

  const refresh = (force = false): Promise<void> => {
    if (refreshing) {
      again ||= force;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        await refreshOnce(force);
        while (again) {
          again = false;
          await refreshOnce(true);
        }
      } catch (err) {
        o.log.warn({ err }, 'live board: registry refresh failed; keeping the rows it had');
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const flush = () => {
    const patches = board.takePatches();
    if (!patches.length) return;
    updates.inc(patches.length);
    fanout.broadcast(patches, (id) => board.get(id));
  };

  /** Keep-alive for proxies, and the end of streams whose session has ended (expired, revoked elsewhere). */
  const ping = async () => {
    const chunk = Buffer.from(': ping\n\n');
    const checks: Promise<void>[] = [];
    fanout.each((c) => {
      c.write(chunk);
      checks.push(
        o.sessions.getByHash(c.sessionHash).then((s) => {
          if (!s) {
            c.close('TW_UNAUTHENTICATED');
            fanout.remove(c);
          }
        }, () => {}),
      );
    });
    await Promise.all(checks);
  };

  const closeClients = (reason: string) =>
    fanout.each((c) => {
      c.close(reason);
      fanout.remove(c);
    });

  const every = (ms: number, fn: () => unknown) => {
    const t = setInterval(fn, ms);
    t.unref();
    timers.push(t);
  };

  return {
    board,
    index: new BoardIndex(board),
    fanout,
    feed,
    async start() {
      await refresh(true);
      await feed.start();
      // what start-up loaded is every client's initial page, not news: nothing to send
      board.takePatches();
      every(o.flushMs ?? 1000, flush);
      every(o.refreshMs, () => void refresh());
      every(o.pingMs ?? 15_000, () => void ping());
    },
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      closeClients('shutdown');
      await feed.stop();
      await refreshing;
    },
    refreshSoon() {
      void refresh(true);
    },
    closeClients,
  };
}
