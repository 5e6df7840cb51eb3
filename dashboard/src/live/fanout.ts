import { deviceInScope, type Scope } from '../auth/scope.js';
import type { BoardRow } from './board-row.js';
import type { BoardPatch } from './board-state.js';
import { PATCH_EVENT_CLOSE, PATCH_EVENT_OPEN, patchEvent, sse, watchedText } from './wire.js';

/** One connected browser (an SSE response). */
export interface LiveClient {
  /** the stream's id (sent in `ready`): POST /live/watch names the stream whose rows it sets */
  stream: string;
  scope: Scope;
  userId: string;
  sessionHash: string;
  /** the rows whose telemetry this stream receives (its viewport: POST /live/watch); every row's status goes to all */
  watch: ReadonlySet<string>;
  /** bytes queued in the socket and not yet sent (a client that stops reading is dropped) */
  backlog(): number;
  /** writes the chunks as one socket write (corked: one event in pieces shared with other clients costs one syscall) */
  write(...chunks: Buffer[]): void;
  /** ends the stream; `reason` goes out as a last `end` event */
  close(reason?: string): void;
}

/** A client that has this much unsent is too slow to follow the board: it is dropped and reconnects afresh. */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * Sends each flush of board patches to the browsers that may see them, as one `patch` event per client per flush.
 * Clients are grouped by scope (scope.key): each patch's status part is serialized once, each group's event is
 * assembled once from the patches in its scope and the same Buffer is written to every client of the group. A client
 * watching rows (its viewport) gets the same Buffer and its own tail: the live part (telemetry) of the watched rows
 * that changed, each serialized once per flush whoever watches it. With 500 inspectors of one district watching 50
 * rows each, one flush costs one JSON.stringify per changed device (two when its telemetry changed), one scope test per
 * device per group, a lookup per watched row and one socket write per client (the shared head and a client's own tail corked together).
 */
export class Fanout {
  private readonly groups = new Map<string, { scope: Scope; clients: Set<LiveClient> }>();
  private readonly streams = new Map<string, LiveClient>();
  private count = 0;

  get clients(): number {
    return this.count;
  }

  add(c: LiveClient): void {
    let g = this.groups.get(c.scope.key);
    if (!g) this.groups.set(c.scope.key, (g = { scope: c.scope, clients: new Set() }));
    if (g.clients.has(c)) return;
    g.clients.add(c);
    this.streams.set(c.stream, c);
    this.count++;
  }

  remove(c: LiveClient): void {
    const g = this.groups.get(c.scope.key);
    if (!g?.clients.delete(c)) return;
    this.streams.delete(c.stream);
    this.count--;
    if (!g.clients.size) this.groups.delete(c.scope.key);
  }

  /** The connected stream of that id, only if it belongs to that session (anyone else's is as unknown as a made-up id). */
  stream(id: string, sessionHash: string): LiveClient | undefined {
    const c = this.streams.get(id);
    return c?.sessionHash === sessionHash ? c : undefined;
  }

  each(fn: (c: LiveClient) => void): void {
    for (const g of this.groups.values()) for (const c of [...g.clients]) fn(c);
  }

  /** Ends the streams of a user (disabled, signed out everywhere, role changed). */
  closeUser(userId: string, reason: string): void {
    this.each((c) => {
      if (c.userId === userId) {
        c.close(reason);
        this.remove(c);
      }
    });
  }

  /** Sends records as `event` messages, each to the groups whose scope `inScope` says holds it (serialized once each). */
  sendEach<T>(event: string, items: T[], inScope: (scope: Scope, index: number) => boolean): void {
    if (!items.length || !this.groups.size) return;
    const texts = items.map((it) => sse(event, it));
    for (const g of this.groups.values()) {
      const parts = texts.filter((_, i) => inScope(g.scope, i));
      if (!parts.length) continue;
      const chunk = Buffer.from(parts.join(''));
      for (const c of g.clients) c.write(chunk);
    }
  }

  /** Writes one flush of patches; `rowOf` answers the device's current row (for a device that came into scope). */
  broadcast(patches: BoardPatch[], rowOf: (id: string) => BoardRow | undefined): void {
    if (!patches.length || !this.groups.size) return;
    const texts: (string | undefined)[] = new Array(patches.length);
    const fulls: (string | undefined)[] = new Array(patches.length);
    const lives: (string | undefined)[] = new Array(patches.length);
    for (const g of this.groups.values()) {
      const parts: string[] = [];
      /** the live parts of this group's devices that changed, for the clients watching them */
      const live = new Map<string, string>();
      patches.forEach((p, i) => {
        const row = p.removed ? undefined : rowOf(p.id);
        const inNow = !!row && deviceInScope(g.scope, row);
        const wasIn = p.was ? deviceInScope(g.scope, p.was) : inNow;
        if (inNow && wasIn) {
          if (Object.keys(p.fields).length) parts.push((texts[i] ??= JSON.stringify({ id: p.id, ...p.fields })));
          if (p.live) live.set(p.id, (lives[i] ??= JSON.stringify({ id: p.id, ...p.live })));
        }
        // a device that moved into this scope: the whole row, the client has nothing of it yet
        else if (inNow) parts.push((fulls[i] ??= JSON.stringify(row)));
        else if (wasIn) parts.push(JSON.stringify({ id: p.id, removed: true }));
      });
      if (!parts.length && !live.size) continue;
      const status = parts.join(',');
      let whole: Buffer | undefined;
      /** the event's head for the clients with watched rows: its opening and the group's status, shared */
      let head: Buffer | undefined;
      for (const c of g.clients) {
        if (c.backlog() > MAX_BACKLOG_BYTES) {
          c.close('TW_RATE_LIMITED');
          this.remove(c);
          continue;
        }
        const mine = live.size ? watchedText(c.watch, live) : '';
        if (!mine) {
          if (status) c.write((whole ??= Buffer.from(patchEvent(status))));
          continue;
        }
        // the group's head, shared, then this client's watched rows and the end of the event: one write
        head ??= Buffer.from(status ? `${PATCH_EVENT_OPEN}${status},` : PATCH_EVENT_OPEN);
        c.write(head, Buffer.from(mine + PATCH_EVENT_CLOSE));
      }
    }
  }

  /**
   * Sets the rows whose telemetry a stream receives (only rows in its scope; the others are ignored, so nothing tells
   * whether they exist) and sends the newly watched rows' current telemetry at once: the client's copy of a row it
   * did not watch may be minutes old.
   */
  setWatch(c: LiveClient, ids: readonly string[], rowOf: (id: string) => BoardRow | undefined): void {
    const next = new Set<string>();
    const fresh: string[] = [];
    for (const id of ids) {
      const row = rowOf(id);
      if (!row || !deviceInScope(c.scope, row) || next.has(id)) continue;
      next.add(id);
      if (!c.watch.has(id)) fresh.push(JSON.stringify({ id, telemetry: row.telemetry, telemetryTs: row.telemetryTs, lastSeen: row.lastSeen }));
    }
    c.watch = next;
    if (fresh.length) c.write(Buffer.from(patchEvent(fresh.join(','))));
  }
}
