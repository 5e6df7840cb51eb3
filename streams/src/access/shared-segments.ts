import { signPlay, verifyPlay } from './play-signing.js';

/**
 * HLS segments a shared cache may serve to every consumer of a public camera. A segment is immutable, and one
 * kitchen's 500 consumers watch the same ones; but each viewer's grant signs its own URLs, so no cache (a CDN keys on
 * the whole URL) could ever serve one viewer's segment to another. So the public playlist (`/hls/pub/<alias>/…`, itself
 * checked against the viewer's grant on every request and never cached) lists the segments of a camera whose kitchen
 * shows its live view with one *shared* token: the same for everyone within a 10 s window, valid 10–20 s, under its own
 * key (`hls-segment`), so it opens segments of that camera only, never a playlist or an FLV stream, and cannot extend a
 * grant. Each segment then has at most two URLs (it is listed for ≤ 6 s, across at most two windows): a CDN fetches it
 * from the relay at most twice, whatever the audience. What a consumer's expired grant leaves is what its last
 * playlist listed (≤ 6 s of video) plus what a client guessing segment names could fetch until the token ends (≤ 20 s).
 */
const WINDOW_S = 10;

export function sharedSegmentQuery(key: Buffer, cameraId: string, nowMs = Date.now()): string {
  const nowS = Math.floor(nowMs / 1000);
  const exp = (Math.floor(nowS / WINDOW_S) + 2) * WINDOW_S;
  return signPlay(key, cameraId, exp - nowS, 'p', nowS * 1000).query;
}

/** sharedSegmentQuery for every playlist request, signed once per camera and window (it is the same within one). */
export class SharedSegmentTokens {
  private readonly signed = new Map<string, { window: number; query: string }>();

  constructor(private readonly key: Buffer) {}

  query(cameraId: string, nowMs = Date.now()): string {
    const window = Math.floor(nowMs / 1000 / WINDOW_S);
    const held = this.signed.get(cameraId);
    if (held?.window === window) return held.query;
    const query = sharedSegmentQuery(this.key, cameraId, nowMs);
    this.signed.set(cameraId, { window, query });
    return query;
  }
}

export function isSharedSegmentQuery(key: Buffer, cameraId: string, params: URLSearchParams, nowMs = Date.now()): boolean {
  return verifyPlay(key, cameraId, params, nowMs).ok;
}

/**
 * Cache headers of a live HLS segment, decided per camera: a camera of a kitchen whose public viewing is on may be
 * stored by shared caches (its segments are immutable, and its picture is public: anyone gets a grant in business
 * hours); any other camera's only by the viewer's own browser (`private`), never by a CDN or proxy.
 */
export function segmentCacheControl(publicCamera: boolean): string {
  return publicCamera ? 'public, max-age=60, immutable' : 'private, max-age=60';
}
