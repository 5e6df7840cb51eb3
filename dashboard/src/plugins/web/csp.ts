/**
 * The Content-Security-Policy of the web app's pages and assets. Every byte of the app comes from this origin:
 * scripts only from 'self' (Vite emits no inline script), fetch/EventSource only to 'self'.
 * - style-src 'unsafe-inline': Element Plus and ECharts position popovers, tooltips and virtual-table rows with
 *   style attributes written as HTML (ECharts' tooltip is innerHTML with style="…"), which CSP otherwise blocks;
 *   style cannot run script, so this is the usual concession of Vue admin apps.
 * - img-src data: blob:: Element Plus inlines small SVGs as data: URLs; ECharts "save as image" makes blob: URLs.
 * - worker-src / media-src blob:: mpegts.js (kitchen video) plays through MediaSource with a blob: URL and a worker.
 * - connect-src adds the stream relay's origin (http and ws): the video wall plays WS-FLV straight from the relay
 *   with signed URLs (docs/dashboard.md, Video wall); nothing else of the app talks to another origin.
 * Framing stays forbidden (clickjacking) and <base> cannot be changed.
 */
export function appCsp(relayOrigins: string[] = []): string {
  return APP_CSP.replace("connect-src 'self'", ["connect-src 'self'", ...relayOrigins].join(' '));
}

/** The relay's origin as CSP sources: its http(s) origin and the ws(s) one of the same host. */
export function relayCspOrigins(relayUrl: string): string[] {
  const u = new URL(relayUrl);
  return [u.origin, `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`];
}

export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');
