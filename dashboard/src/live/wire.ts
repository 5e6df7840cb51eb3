/**
 * The live stream's wire format (docs/dashboard.md "Live updates"): board changes go out as one `patch` event per
 * flush per client whose data is a JSON array of patches, `{id, ...changed status fields}`, `{id, removed: true}`,
 * a whole row (a device that came into scope) or a watched row's live part `{id, telemetryTs, lastSeen, tm | telemetry}`.
 * The array is written in pieces (the scope group's shared status part, then the client's own watched rows), so it is
 * assembled here as text rather than by one JSON.stringify.
 */
export const PATCH_EVENT_OPEN = 'event: patch\ndata: [';
export const PATCH_EVENT_CLOSE = ']\n\n';

export const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A `patch` event of already serialized patches, joined by commas. */
export const patchEvent = (items: string) => PATCH_EVENT_OPEN + items + PATCH_EVENT_CLOSE;

/** The live parts of the rows a client watches among those that changed (comma-joined; '' when none). */
export function watchedText(watch: ReadonlySet<string>, live: ReadonlyMap<string, string>): string {
  if (!watch.size) return '';
  let out = '';
  // walk the smaller of the two: a client watches ≤ 200 rows, a quiet flush has few changes
  if (watch.size <= live.size) {
    for (const id of watch) {
      const t = live.get(id);
      if (t !== undefined) out = out ? `${out},${t}` : t;
    }
  } else {
    for (const [id, t] of live) if (watch.has(id)) out = out ? `${out},${t}` : t;
  }
  return out;
}
