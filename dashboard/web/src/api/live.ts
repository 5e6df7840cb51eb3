import type { Alarm } from './alarms';
import type { BoardRow } from './types';

export type LiveState = 'connecting' | 'open' | 'closed';
export type LivePatch = Partial<BoardRow> & { id: string };

export interface LiveHandlers {
  /** (re)connected: the list must be read again (changes while away are not replayed) */
  ready(): void;
  /** a row's changed fields, or a whole row when a device came into scope */
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
 * `device` (at most one per device per second), `remove`, `alarm` and `end`, only for devices in the session's scope.
 * EventSource reconnects by itself (the server's `retry`), and every reconnect starts with `ready` again.
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
  es.addEventListener('ready', () => {
    h.state('open');
    h.ready();
  });
  es.addEventListener('error', () => h.state(es.readyState === EventSource.CLOSED ? 'closed' : 'connecting'));
  es.addEventListener('device', (ev) => {
    const p = data<LivePatch>(ev);
    if (p && typeof p.id === 'string') h.patch(p);
  });
  es.addEventListener('remove', (ev) => {
    const p = data<{ id: string }>(ev);
    if (p && typeof p.id === 'string') h.remove(p.id);
  });
  es.addEventListener('alarm', (ev) => {
    const a = data<Alarm>(ev);
    if (a && typeof a.id === 'number') h.alarm?.(a);
  });
  es.addEventListener('end', (ev) => h.end(data<{ code: string }>(ev)?.code ?? ''));
  return () => es.close();
}
