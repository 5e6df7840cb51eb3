import type { Alarm } from './alarms';
import type { BoardRow } from './types';

export type LiveState = 'connecting' | 'open' | 'closed';
/**
 * A row's changed fields, or a whole row when a device came into scope. A watched row's telemetry comes whole
 * (`telemetry`: when the row was just watched) or as `tm`, only the keys that changed (merged into the row's telemetry).
 */
export type LivePatch = Partial<BoardRow> & { id: string; tm?: Record<string, unknown> };

export interface LiveHandlers {
  /**
   * (re)connected: the list must be read again (changes while away are not replayed), and the rows on screen
   * watched again under the new `stream` id (POST /live/watch)
   */
  ready(stream: string): void;
  /** a row's changes (see LivePatch) */
  patch(p: LivePatch): void;
  /** the device left the scope or the registry */
  remove(id: string): void;
  /** the server ended the stream: TW_UNAUTHENTICATED (session over), TW_RATE_LIMITED (too slow to follow), shutdown */
  end(code: string): void;
  /** an alarm raised or changed (acknowledged by SMS link, rectified, verified, commented…), as the alarm centre lists it */
  alarm?(a: Alarm): void;
  state(s: LiveState): void;
}

/**
 * The board's live feed: `GET /api/v1/live`, Server-Sent Events (docs/dashboard.md, Live updates): `ready`,
 * `patch` (one per second: an array of row patches, `{id, removed: true}` for a row that left the scope), `alarm`
 * and `end`, only for devices in the session's scope. Telemetry comes only for the rows the stream watches
 * (POST /live/watch); every row's status comes to all. EventSource reconnects by itself (the server's `retry`), and
 * every reconnect starts with `ready` again.
 */
export function connectLive(h: LiveHandlers): () => void {
  const es = new EventSource('/api/v1/live');
  h.state('connecting');
  const data = <T>(ev: Event): T | undefined => {
    try {
      return JSON.parse((ev as MessageEvent<string>).data) as T;
    } catch {
      return undefined;
    }
  };
  es.addEventListener('ready', (ev) => {
    h.state('open');
    h.ready(data<{ stream?: string }>(ev)?.stream ?? '');
  });
  es.addEventListener('error', () => h.state(es.readyState === EventSource.CLOSED ? 'closed' : 'connecting'));
  es.addEventListener('patch', (ev) => {
    const ps = data<(LivePatch & { removed?: boolean })[]>(ev);
    if (!Array.isArray(ps)) return;
    for (const p of ps) {
      if (!p || typeof p.id !== 'string') continue;
      if (p.removed === true) h.remove(p.id);
      else h.patch(p);
    }
  });
  es.addEventListener('alarm', (ev) => {
    const a = data<Alarm>(ev);
    if (a && typeof a.id === 'number') h.alarm?.(a);
  });
  es.addEventListener('end', (ev) => h.end(data<{ code: string }>(ev)?.code ?? ''));
  return () => es.close();
}

/**
 * A patch on top of a row or of a patch still pending: `tm` (changed telemetry keys) merges into the telemetry the
 * base has, a whole `telemetry` replaces it (and any keys pending), every other field replaces its value.
 */
export function mergePatch<T extends Partial<BoardRow> & { tm?: Record<string, unknown> }>(base: T, p: LivePatch): T {
  const { tm, ...rest } = p;
  const out = { ...base, ...rest } as T;
  if (!tm) {
    if ('telemetry' in rest) delete out.tm;
  } else if (out.telemetry) out.telemetry = { ...out.telemetry, ...tm } as BoardRow['telemetry'];
  else out.tm = { ...base.tm, ...tm };
  return out;
}

/** A row after patches: keys that had no telemetry to merge into become its telemetry. */
export function settled(r: BoardRow & { tm?: Record<string, unknown> }): BoardRow {
  if (!r.tm) return r;
  const { tm, ...row } = r;
  return { ...row, telemetry: { ...row.telemetry, ...tm } as BoardRow['telemetry'] };
}
