import { defineStore } from 'pinia';
import { ref, shallowRef, triggerRef } from 'vue';
import { api } from '@/api/http';
import { emitAlarm, emitLiveReady } from '@/api/alarm-bus';
import { connectLive, mergePatch, settled, type LivePatch, type LiveState } from '@/api/live';
import { createLiveWatch } from '@/api/live-watch';
import type { BoardRow, District, Page, UnitRow } from '@/api/types';

/** Live patches are applied together at most this often: one re-render per batch, not per device. */
const FLUSH_MS = 250;

/**
 * Every device in the session's scope with its live state. The list is read once (5,000 rows a page), then the SSE
 * feed patches rows in place; the array is shallow (rows are replaced, never deeply watched), which keeps 5,000
 * rows cheap to update and to filter. Every row's status is live; telemetry only for the rows a view watches
 * (`watch`: the board's rows on screen, the open device file's device), the others keep what the list read.
 */
export const useBoard = defineStore('board', () => {
  const rows = shallowRef<BoardRow[]>([]);
  const districts = shallowRef<District[]>([]);
  const units = shallowRef<UnitRow[]>([]);
  const loading = ref(false);
  const error = ref<unknown>(null);
  const live = ref<LiveState>('closed');
  /** when the last live patch was applied (ms) */
  const lastPatch = ref(0);
  const index = new Map<string, number>();
  const pending = new Map<string, LivePatch>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopLive: (() => void) | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const watcher = createLiveWatch();

  async function loadRows(): Promise<BoardRow[]> {
    const all: BoardRow[] = [];
    let cursor: string | null = null;
    do {
      // the server's largest page (BOARD_PAGE_MAX): a district's 5,000 devices in one request, not five in a row
      const page: Page<BoardRow> = await api.get<Page<BoardRow>>('/devices', { limit: 5000, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** patches that arrive while the list is being read: applied again on top of it, in order */
  let held: LivePatch[] | undefined;
  let again = false;

  async function load(): Promise<void> {
    if (held) {
      // a `ready` while reading: read once more afterwards
      again = true;
      return;
    }
    held = [];
    loading.value = true;
    error.value = null;
    try {
      const [list, ds, us] = await Promise.all([loadRows(), api.get<District[] | { items: District[] }>('/districts'), api.get<Page<UnitRow>>('/units', { limit: 1000 })]);
      index.clear();
      list.forEach((r, i) => index.set(r.id, i));
      rows.value = list;
      districts.value = Array.isArray(ds) ? ds : ds.items;
      units.value = us.items;
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
      const replay = held;
      held = undefined;
      replay.forEach(patch);
      if (again) {
        again = false;
        void load();
      }
    }
  }

  function flush() {
    timer = undefined;
    if (!pending.size) return;
    const next = rows.value.slice();
    for (const p of pending.values()) {
      const i = index.get(p.id);
      if (i !== undefined) next[i] = settled(mergePatch(next[i] as BoardRow, p));
      // a device that came into scope after the list was read: only a whole row can be shown
      else if (p.kind && p.registrationCode !== undefined) {
        index.set(p.id, next.length);
        next.push(settled({ telemetry: null, ...p } as BoardRow));
      }
    }
    pending.clear();
    rows.value = next;
    lastPatch.value = Date.now();
    triggerRef(rows);
  }

  function patch(p: LivePatch) {
    held?.push(p);
    const prev = pending.get(p.id);
    pending.set(p.id, prev ? mergePatch(prev, p) : p);
    timer ??= setTimeout(flush, FLUSH_MS);
  }

  function remove(id: string) {
    if (!index.has(id)) return;
    pending.delete(id);
    const next = rows.value.filter((r) => r.id !== id);
    index.clear();
    next.forEach((r, i) => index.set(r.id, i));
    rows.value = next;
  }

  let everReady = false;
  function connect() {
    if (stopLive) return;
    stopLive = connectLive({
      ready(stream) {
        everReady = true;
        watcher.connected(stream);
        void load();
        emitLiveReady();
      },
      patch,
      remove,
      alarm: emitAlarm,
      end(code) {
        // the session is over: asking who we are answers 401, which leads to the sign-in page
        if (code === 'TW_UNAUTHENTICATED') void api.get('/me').catch(() => undefined);
      },
      state(s) {
        live.value = s;
        if (s !== 'closed') return;
        stopLive?.();
        stopLive = undefined;
        // no live feed at all (a proxy that refuses streams): the list still loads once
        if (!everReady && !rows.value.length) void load();
        // refused (a 401 after the session expired leads to the sign-in page) or gone: try again later
        retry = setTimeout(() => {
          void api.get('/me').then(connect, () => undefined);
        }, 5000);
      },
    });
  }

  /** The rows whose telemetry must stay live (the rows on screen); the previous set is replaced. */
  function watch(ids: readonly string[]) {
    watcher.set(ids);
  }

  function disconnect() {
    clearTimeout(retry);
    stopLive?.();
    stopLive = undefined;
    live.value = 'closed';
  }

  /** Signed out: nothing of this session stays in memory. */
  function reset() {
    disconnect();
    watcher.reset();
    everReady = false;
    clearTimeout(timer);
    timer = undefined;
    pending.clear();
    index.clear();
    rows.value = [];
    districts.value = [];
    units.value = [];
    error.value = null;
  }

  function byId(id: string): BoardRow | undefined {
    const i = index.get(id);
    return i === undefined ? undefined : rows.value[i];
  }

  return { rows, districts, units, loading, error, live, lastPatch, load, connect, disconnect, reset, byId, watch };
});
