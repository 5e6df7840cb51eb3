import { deviceInScope, type Scope } from '../auth/scope.js';
import type { BoardRow } from './board-row.js';
import type { BoardPatch } from './board-state.js';

/** One connected browser (an SSE response). */
export interface LiveClient {
  scope: Scope;
  userId: string;
  sessionHash: string;
  /** bytes queued in the socket and not yet sent (a client that stops reading is dropped) */
  backlog(): number;
  write(chunk: Buffer): void;
  /** ends the stream; `reason` goes out as a last `end` event */
  close(reason?: string): void;
}

/** A client that has this much unsent is too slow to follow the board: it is dropped and reconnects afresh. */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Sends each coalesced board update to the browsers that may see it. Clients are grouped by scope (scope.key):
 * every update is serialized once, each group's message is assembled once from the updates in its scope, and
 * the same Buffer is written to every client of the group. With 500 inspectors of one district, one flush costs
 * one JSON.stringify per changed device, one scope test per device per group and 500 socket writes.
 */
export class Fanout {
  private readonly groups = new Map<string, { scope: Scope; clients: Set<LiveClient> }>();
  private count = 0;

  get clients(): number {
    return this.count;
  }

  add(c: LiveClient): void {
    let g = this.groups.get(c.scope.key);
    if (!g) this.groups.set(c.scope.key, (g = { scope: c.scope, clients: new Set() }));
    if (g.clients.has(c)) return;
    g.clients.add(c);
    this.count++;
  }

  remove(c: LiveClient): void {
    const g = this.groups.get(c.scope.key);
    if (!g?.clients.delete(c)) return;
    this.count--;
    if (!g.clients.size) this.groups.delete(c.scope.key);
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
    for (const g of this.groups.values()) {
      const parts: string[] = [];
      patches.forEach((p, i) => {
        const row = p.removed ? undefined : rowOf(p.id);
        const inNow = !!row && deviceInScope(g.scope, row);
        const wasIn = p.was ? deviceInScope(g.scope, p.was) : inNow;
        if (inNow && wasIn) parts.push((texts[i] ??= sse('device', { id: p.id, ...p.fields })));
        // a device that moved into this scope: the whole row, the client has nothing of it yet
        else if (inNow) parts.push((fulls[i] ??= sse('device', row)));
        else if (wasIn) parts.push(sse('remove', { id: p.id }));
      });
      if (!parts.length) continue;
      const chunk = Buffer.from(parts.join(''));
      for (const c of g.clients) {
        if (c.backlog() > MAX_BACKLOG_BYTES) {
          c.close('TW_RATE_LIMITED');
          this.remove(c);
          continue;
        }
        c.write(chunk);
      }
    }
  }
}
