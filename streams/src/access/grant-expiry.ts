import type { PlayGrant } from './play-signing.js';

/**
 * The per-viewer time limit on sessions that outlive their URL. A play signature is checked when a session starts;
 * HTTP-FLV, WS-FLV and RTMP then stream for as long as the connection lasts, while HLS asks again for every playlist.
 * A public grant's expiry is the consumer's time limit (the dashboard's TW_PUBLIC_VIEW_S, or closing time, whichever
 * is first: docs/dashboard.md), so the relay ends such a session itself at that moment, whatever the client does
 * (mpegts.js, ffplay, a script): a fresh grant, which only the dashboard gives, opens a new one.
 * An inspector's session is not cut: the video wall renews its audited viewing without reconnecting (docs/streams.md).
 * Returns what cancels the cut (the session ended first).
 */
export function endAtExpiry(grant: PlayGrant, end: () => void, nowMs = Date.now()): () => void {
  if (grant.aud !== 'p') return () => {};
  // verifyPlay accepts the URL through the second `exp`: the session ends just after the last moment it was valid
  const timer = setTimeout(end, Math.max(0, grant.exp * 1000 + 1 - nowMs));
  timer.unref();
  return () => clearTimeout(timer);
}
