import type { BoardRow } from './types';

export type LiveState = 'connecting' | 'open' | 'closed';
export type LivePatch = Partial<BoardRow> & { id: string };

/**
 * The board's live feed: `GET /api/v1/live`, Server-Sent Events (docs/dashboard.md, Live updates). The server sends
 * `event: device` with a board row or the changed fields plus the id, only for devices in the session's scope.
 * EventSource reconnects by itself after a network error; after a reconnect the caller reloads the list, since
 * changes made while away are not replayed to the browser.
 */
export function connectLive(onPatch: (p: LivePatch) => void, onState: (s: LiveState, reconnected: boolean) => void): () => void {
  const es = new EventSource('/api/v1/live', { withCredentials: true });
  let opened = false;
  onState('connecting', false);
  es.addEventListener('open', () => {
    onState('open', opened);
    opened = true;
  });
  es.addEventListener('error', () => {
    onState(es.readyState === EventSource.CLOSED ? 'closed' : 'connecting', false);
  });
  es.addEventListener('device', (ev) => {
    try {
      const p = JSON.parse((ev as MessageEvent<string>).data) as LivePatch;
      if (p && typeof p.id === 'string') onPatch(p);
    } catch {}
  });
  return () => es.close();
}
