import { api } from './http';

/** The server takes at most this many rows per stream (dashboard/src/live/route.ts MAX_WATCHED). */
export const MAX_WATCHED = 200;
/** Scrolling fires many range changes: the rows are posted once they have held still this long. */
const DEBOUNCE_MS = 200;

/**
 * The rows whose telemetry the live stream carries (docs/dashboard.md "Live updates"): the board's rows on screen, or
 * the device of an open device file. Every row's status comes live whatever is watched. Posted (POST /live/watch)
 * debounced after a change, and at once under a new stream id after every (re)connect: a new stream watches nothing.
 */
export function createLiveWatch() {
  let stream = '';
  let ids: string[] = [];
  /** what the server holds for `stream` (nothing to post when the rows on screen did not change) */
  let posted = '';
  let timer: ReturnType<typeof setTimeout> | undefined;

  function post() {
    clearTimeout(timer);
    timer = undefined;
    const key = ids.join('\n');
    if (!stream || key === posted) return;
    posted = key;
    // 404: the stream ended meanwhile; its successor's `ready` posts the rows again
    api.post('/live/watch', { stream, ids }).catch(() => {
      if (posted === key) posted = '';
    });
  }

  return {
    /** the rows now on screen (replaces the previous set) */
    set(next: readonly string[]) {
      const unique = [...new Set(next)].slice(0, MAX_WATCHED);
      // live patches re-render the table every 250 ms: the same rows again must not push the post further away
      if (timer && unique.join('\n') === ids.join('\n')) return;
      ids = unique;
      clearTimeout(timer);
      timer = setTimeout(post, DEBOUNCE_MS);
    },
    /** a (re)connected stream: it watches nothing yet */
    connected(id: string) {
      stream = id;
      posted = '';
      if (ids.length) post();
    },
    reset() {
      clearTimeout(timer);
      timer = undefined;
      stream = '';
      ids = [];
      posted = '';
    },
  };
}
