import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { handleApi } from './api-routes.js';
import { CORS, clientIp, errorBody, requestUrl, sendError, sendErrorBody, sendJson, type ErrorBody } from './http-util.js';
import { verifyPlay, type PlayCheck, type PlayGrant } from '../access/play-signing.js';
import { streamPathOf } from '../access/publish-auth.js';
import { signPlaylist } from '../ffmpeg/hls-packager.js';
import { isSharedSegmentQuery, segmentCacheControl } from '../access/shared-segments.js';
import type { RelayContext } from '../relay-context.js';

/**
 * The relay's only HTTP listener. Every playback request (HTTP-FLV, WS-FLV, HLS, recorded segments) is
 * checked here first: no signature → 401, a bad or expired one → 403, so a player never reaches
 * node-media-server (which would answer a bad signature with an empty 200). Only then is the request
 * handed to node-media-server in-process, or a file served. /api/* is in api-routes.ts.
 * Anyone can reach this port, so nothing a client sends may throw out of a handler: a request target that
 * is not an origin-form path (`//[x/ws/cam.flv`) answers 400, a player that sends a body or WebSocket
 * messages is refused or cut, slow headers time out, and a refused upgrade's socket is destroyed even if
 * the client never closes it.
 */
/** players send nothing; this only bounds what a misbehaving client can make the ws library buffer */
const WS_MAX_PAYLOAD = 4096;
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * HLS players poll the playlist every second or two on a kept-alive connection. Node closes an idle one after 5 s
 * by default; a player whose poll comes late (a busy phone, a starved machine) sends it just as the relay closes
 * the socket and gets a reset. 65 s, above common proxies' and players' own idle limits, leaves the closing to them.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const REFUSED_LINGER_MS = 1000;
const PLAY = /^\/(?:play|ws)\/([A-Za-z0-9_-]{3,40})\.flv$/;
const HLS = /^\/hls\/([A-Za-z0-9_-]{3,40})\/(index\.m3u8|seg-\d{1,12}\.ts)$/;
const REC = /^\/rec\/([A-Za-z0-9_-]{3,40})\/(\d{9,11}\.ts)$/;
// consumers' URLs name the camera by its public alias (core's publicAlias), never by its id
const PLAY_PUB = /^\/(?:play|ws)\/pub\/([A-Za-z0-9_-]{22})\.flv$/;
const HLS_PUB = /^\/hls\/pub\/([A-Za-z0-9_-]{22})\/(index\.m3u8|seg-\d{1,12}\.ts)$/;

type Target = { cameraId: string; file: string; alias: boolean } | { unknownAlias: true };

/** The camera (and HLS file) a play path names: by id, or by public alias (an alias nobody has: unknownAlias). */
function target(ctx: RelayContext, path: string, kind: 'flv' | 'hls'): Target | undefined {
  const [byId, byAlias] = kind === 'flv' ? [PLAY, PLAY_PUB] : [HLS, HLS_PUB];
  let m = byId.exec(path);
  if (m) return { cameraId: m[1] as string, file: m[2] ?? '', alias: false };
  if (!(m = byAlias.exec(path))) return undefined;
  const cameraId = ctx.cache.cameraIdOfAlias(m[1] as string);
  return cameraId ? { cameraId, file: m[2] ?? '', alias: true } : { unknownAlias: true };
}
const NO_ALIAS = { status: 404, body: errorBody('TW_NOT_FOUND', 'no such camera') } as const;

type Gate = { ok: true; grant: PlayGrant; release: () => void } | { ok: false; status: number; body: ErrorBody };

/** Signature, camera, liveness and the public per-viewer limit, in that order. */
function gate(ctx: RelayContext, cameraId: string, url: URL, ip: string, opts: { needsLive: boolean; session: boolean; alias?: boolean }): Gate {
  const check: PlayCheck = verifyPlay(ctx.playKey, cameraId, url.searchParams);
  if (!check.ok) {
    ctx.metrics.playRefused.inc({ status: String(check.status) });
    return { ok: false, status: check.status, body: errorBody(check.status === 401 ? 'TW_UNAUTHENTICATED' : 'TW_FORBIDDEN', `play signature ${check.reason}`) };
  }
  // an alias path is for consumers' grants only
  if (opts.alias && check.grant.aud !== 'p') return { ok: false, status: 403, body: errorBody('TW_FORBIDDEN', 'not a public grant') };
  const camera = ctx.cache.camera(cameraId);
  if (!camera || !camera.enabled) return { ok: false, status: 404, body: errorBody('TW_NOT_FOUND', 'no such camera') };
  // a public grant only for what consumers may see now: the kitchen may have stopped showing its live view since
  if (check.grant.aud === 'p' && !ctx.cache.isPublic(cameraId)) {
    ctx.cache.refreshSoon(); // a kitchen that has just opted in: the consumer's retry finds it public
    return { ok: false, status: 404, body: errorBody('TW_NOT_FOUND', 'no such camera') };
  }
  if (opts.needsLive && camera.mode === 'push' && !ctx.nms.isLive(streamPathOf(cameraId))) return { ok: false, status: 404, body: errorBody('TW_NOT_FOUND', 'camera is not live') };
  if (check.grant.aud === 'p' && opts.session) {
    const release = ctx.limits.acquireSession(ip);
    if (!release) return { ok: false, status: 429, body: errorBody('TW_RATE_LIMITED', 'too many streams open from this address') };
    return { ok: true, grant: check.grant, release };
  }
  return { ok: true, grant: check.grant, release: () => {} };
}

export function createHttpFront(ctx: RelayContext): Server {
  // no subprotocol is ever chosen: NMS would take "post" or "publisher" for a client that pushes video
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: WS_MAX_PAYLOAD, handleProtocols: () => false });
  wss.on('error', (err) => ctx.log.warn({ err }, 'websocket server error'));

  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => sendError(res, err, ctx.log));
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = 3 * HEADERS_TIMEOUT_MS;
  server.on('clientError', (err, socket) => socket.destroy(err));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      upgrade(ctx, wss, req, socket, head);
    } catch (err) {
      // nothing a client sends should get here; if it does, it costs this socket, not the relay
      ctx.log.warn({ err, url: String(req.url).slice(0, 200) }, 'websocket upgrade failed');
      socket.destroy();
    }
  });
  return server;
}

function upgrade(ctx: RelayContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = requestUrl(req);
  if (!url) return rejectUpgrade(socket, 400, errorBody('TW_PAYLOAD_INVALID', 'request target is not a path'));
  const t = target(ctx, url.pathname, 'flv');
  if (!t || 'unknownAlias' in t) return rejectUpgrade(socket, 404, errorBody('TW_NOT_FOUND'));
  const cameraId = t.cameraId;
  const g = gate(ctx, cameraId, url, clientIp(req), { needsLive: true, session: true, alias: t.alias });
  if (!g.ok) return rejectUpgrade(socket, g.status, g.body);
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('close', g.release);
    ws.on('error', () => ws.terminate());
    try {
      const session = ctx.nms.playWsFlv(req, ws, streamPathOf(cameraId));
      ws.on('close', ctx.publicSessions.hold(g.grant, 'ws-flv', (why) => ctx.nms.endPlayer(session, why)));
    } catch (err) {
      ctx.log.warn({ err, camera: cameraId }, 'ws-flv session failed');
      ws.terminate();
    }
  });
}

function rejectUpgrade(socket: Duplex, status: number, body: ErrorBody): void {
  const text = JSON.stringify(body);
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  // the HTTP server keeps half-open sockets: a client that never closes its side would hold this one
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
}

async function handle(ctx: RelayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  if (!url) return sendErrorBody(res, 400, 'TW_PAYLOAD_INVALID', 'request target is not a path');
  const path = url.pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' }).end();
    return;
  }
  if (path.startsWith('/api/')) return handleApi(ctx, req, res, url);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendErrorBody(res, 405, 'TW_PAYLOAD_INVALID', 'method not allowed');

  let m: RegExpExecArray | null;
  let t = target(ctx, path, 'flv');
  if (t && 'unknownAlias' in t) return sendJson(res, NO_ALIAS.status, NO_ALIAS.body);
  if (t) {
    const cameraId = t.cameraId;
    // a player has nothing to send; NMS would parse a body as an FLV publish
    if (hasBody(req)) return sendErrorBody(res, 400, 'TW_PAYLOAD_INVALID', 'a play request has no body');
    const g = gate(ctx, cameraId, url, clientIp(req), { needsLive: true, session: true, alias: t.alias });
    if (!g.ok) return sendJson(res, g.status, g.body);
    res.on('close', g.release);
    // a stream's connection is never reused: when it ends (a grant's expiry) the socket closes with it
    res.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store', connection: 'close', ...CORS });
    res.flushHeaders();
    const session = ctx.nms.playHttpFlv(req, res, streamPathOf(cameraId));
    res.on('close', ctx.publicSessions.hold(g.grant, 'http-flv', (why) => ctx.nms.endPlayer(session, why)));
    return;
  }
  t = target(ctx, path, 'hls');
  if (t && 'unknownAlias' in t) return sendJson(res, NO_ALIAS.status, NO_ALIAS.body);
  if (t) {
    const { cameraId, file } = t;
    // a public camera's consumers share one segment URL (shared-segments.ts): a CDN can serve them all
    const shared = t.alias && ctx.cache.isPublic(cameraId);
    if (file !== 'index.m3u8' && shared && isSharedSegmentQuery(ctx.segmentKey, cameraId, url.searchParams)) return serveSegment(ctx, res, cameraId, file);
    // HLS is request/response: the per-viewer limit applies when URLs are issued, not per segment
    const g = gate(ctx, cameraId, url, clientIp(req), { needsLive: file === 'index.m3u8', session: false, alias: t.alias });
    if (!g.ok) return sendJson(res, g.status, g.body);
    if (file !== 'index.m3u8') return serveSegment(ctx, res, cameraId, file);
    const dir = await ctx.hls.ensure(cameraId);
    const own = ['exp', 'aud', 'sig'].map((k) => `${k}=${encodeURIComponent(url.searchParams.get(k) ?? '')}`).join('&');
    // read again only when the packager rewrote it; a public camera's signed copy is the same for all its consumers
    const body = dir && (await ctx.hls.files.playlist(dir, shared ? ctx.sharedSegments.query(cameraId) : own, signPlaylist));
    if (!body) return sendErrorBody(res, 503, 'TW_DEPENDENCY_UNAVAILABLE', 'stream not ready, retry');
    // the playlist is per viewer and changes every second: never stored, so every viewer's grant is checked on each
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store', ...CORS }).end(body);
    return;
  }
  if ((m = REC.exec(path))) {
    const cameraId = m[1] as string;
    const check = verifyPlay(ctx.playKey, cameraId, url.searchParams);
    if (!check.ok) return sendErrorBody(res, check.status, check.status === 401 ? 'TW_UNAUTHENTICATED' : 'TW_FORBIDDEN', `play signature ${check.reason}`);
    // recordings are for inspectors only: a public viewing URL never opens them
    if (check.grant.aud !== 'i') return sendErrorBody(res, 403, 'TW_FORBIDDEN', 'recordings are for inspectors');
    return serveFile(res, join(ctx.recordingsRoot, cameraId, m[2] as string), 'video/mp2t');
  }
  if (path === '/healthz') return sendJson(res, 200, { ok: true });
  sendErrorBody(res, 404, 'TW_NOT_FOUND');
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

async function serveSegment(ctx: RelayContext, res: ServerResponse, cameraId: string, file: string): Promise<void> {
  const dir = ctx.hls.touch(cameraId);
  if (!dir) return sendErrorBody(res, 404, 'TW_NOT_FOUND', 'no HLS packager for this camera');
  const cacheControl = segmentCacheControl(ctx.cache.isPublic(cameraId));
  // a segment the playlist lists comes from memory (hls-files.ts); any other name from disk, as it is now
  const bytes = await ctx.hls.files.segment(dir, file);
  if (!bytes) return serveFile(res, join(dir, file), 'video/mp2t', cacheControl);
  res.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': bytes.length, 'cache-control': cacheControl, ...CORS }).end(bytes);
}

/** A media file; `cacheControl` private unless the caller decided a shared cache may keep it. */
async function serveFile(res: ServerResponse, file: string, type: string, cacheControl = 'private, max-age=60'): Promise<void> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return sendErrorBody(res, 404, 'TW_NOT_FOUND');
  res.writeHead(200, { 'content-type': type, 'content-length': st.size, 'cache-control': cacheControl, ...CORS });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
