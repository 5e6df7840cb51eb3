import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { verifySessionToken, type SessionClaims } from '@tianwang/core/crypto';
import { ForbiddenError, NotFoundError, UnauthenticatedError, UserError } from '@tianwang/core/errors';
import type { Camera } from '@tianwang/core/registry';
import { CORS, readJson, sendErrorBody, sendJson } from './http-util.js';
import { signPlay } from '../access/play-signing.js';
import { streamPathOf } from '../access/publish-auth.js';
import { cutClip, recordedSpans } from '../recording/recording-clip.js';
import { listSegments, rangePlaylist, segmentsInRange } from '../recording/recording-files.js';
import { baseUrl, type RelayContext } from '../relay-context.js';
import { takeSnapshot } from '../health/snapshot.js';

/**
 * The relay's JSON API. Inspector endpoints take the dashboard's session token (Authorization: Bearer),
 * verified with the shared master secret; an inspector sees the cameras of their own district, an admin all.
 * Nothing here is public: consumers get their (public-audience) play URLs only from the dashboard's public kitchen
 * page (business hours, per-viewer time limit, viewer quota, address limits: docs/dashboard.md), never from the relay.
 *   POST /api/play-urls {camera}                      inspector → signed FLV / WS-FLV / HLS URLs
 *   POST /api/cameras/<id>/snapshots                  inspector → JPEG evidence, metadata
 *   GET  /api/snapshots/<id>                          inspector → the JPEG
 *   GET  /api/cameras/<id>/recordings?from&to         inspector → HLS VOD playlist of that range
 *   GET  /api/cameras/<id>/recordings/spans?from&to   inspector → which stretches of that range are recorded
 *   GET  /api/cameras/<id>/clip.mp4?from&to           inspector → the range cut to MP4 (≤ 30 min), x-sha256
 *   GET  /api/cameras/<id>/health                     inspector → latest health
 */
function inspector(ctx: RelayContext, req: IncomingMessage): SessionClaims {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  if (!token) throw new UnauthenticatedError('sign in first (Authorization: Bearer <session token>)');
  const result = verifySessionToken(ctx.masterSecret, token.trim());
  if (!result.ok) throw new UnauthenticatedError(`session token ${result.reason === 'expired' ? 'expired' : 'invalid'}`);
  if (result.claims.role !== 'inspector' && result.claims.role !== 'admin') throw new ForbiddenError('only inspectors and admins');
  return result.claims;
}

/**
 * The camera, if the user may see it: an admin any, an inspector those of kitchens under their district (its
 * grids included: a tree walk, district-scope.ts). Out of scope answers like unknown (404: nothing to learn by
 * probing ids), and an inspector without a district sees nothing.
 */
async function cameraFor(ctx: RelayContext, claims: SessionClaims, cameraId: string): Promise<Camera> {
  const camera = await ctx.cache.cameraFresh(cameraId);
  if (!camera) throw new NotFoundError(`camera ${cameraId}`);
  if (claims.role === 'inspector' && !(claims.district && ctx.cache.kitchenWithin(camera.kitchenId, claims.district))) throw new NotFoundError(`camera ${cameraId}`);
  return camera;
}

function playUrls(ctx: RelayContext, req: IncomingMessage, cameraId: string) {
  const { query, exp } = signPlay(ctx.playKey, cameraId, ctx.config.playUrlTtlS, 'i');
  const base = baseUrl(ctx, req);
  return {
    camera: cameraId,
    flv: `${base}/play/${cameraId}.flv?${query}`,
    wsFlv: `${base.replace(/^http/, 'ws')}/ws/${cameraId}.flv?${query}`,
    hls: `${base}/hls/${cameraId}/index.m3u8?${query}`,
    expiresAt: new Date(exp * 1000).toISOString(),
  };
}

function parseTime(v: string | null, name: string): number {
  if (!v) throw new UserError('TW_PAYLOAD_INVALID', `${name} is required (ISO time or epoch ms)`);
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new UserError('TW_PAYLOAD_INVALID', `${name} is not a time`);
  return n;
}

export async function handleApi(ctx: RelayContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  let m: RegExpExecArray | null;

  if (method === 'POST' && path === '/api/play-urls') {
    const claims = inspector(ctx, req);
    const body = await readJson(req);
    if (typeof body.camera !== 'string') throw new UserError('TW_PAYLOAD_INVALID', 'camera is required');
    const camera = await cameraFor(ctx, claims, body.camera);
    if (!camera.enabled) throw new NotFoundError(`camera ${camera.id}`);
    return sendJson(res, 200, playUrls(ctx, req, camera.id));
  }
  if (method === 'POST' && (m = /^\/api\/cameras\/([A-Za-z0-9_-]{3,40})\/snapshots$/.exec(path))) {
    const claims = inspector(ctx, req);
    const camera = await cameraFor(ctx, claims, m[1] as string);
    if (!camera.enabled) throw new NotFoundError(`camera ${camera.id}`);
    if (camera.mode === 'push' && !ctx.nms.isLive(streamPathOf(camera.id))) throw new UserError('TW_CONFLICT', 'camera is not live', 409);
    const snap = await takeSnapshot({ dataDir: ctx.dataDir, media: ctx.media, keyframes: (_id, ms) => ctx.keyframes(camera, 1, ms) }, camera.id, claims.sub, camera.mode === 'pull' ? 10_000 : 2000);
    ctx.metrics.snapshots.inc();
    return sendJson(res, 201, { ...snap, url: `/api/snapshots/${snap.id}` });
  }
  if (method === 'GET' && (m = /^\/api\/snapshots\/(\d{1,15})$/.exec(path))) {
    const claims = inspector(ctx, req);
    const snap = await ctx.media.getSnapshot(Number(m[1]));
    if (!snap) throw new NotFoundError('snapshot');
    await cameraFor(ctx, claims, snap.cameraId);
    const jpeg = await readFile(join(ctx.dataDir, snap.path));
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length, 'x-sha256': snap.sha256, 'x-taken-at': snap.takenAt.toISOString(), 'cache-control': 'private, max-age=3600', ...CORS }).end(jpeg);
    return;
  }
  if (method === 'GET' && (m = /^\/api\/cameras\/([A-Za-z0-9_-]{3,40})\/recordings$/.exec(path))) {
    const claims = inspector(ctx, req);
    const camera = await cameraFor(ctx, claims, m[1] as string);
    const from = parseTime(url.searchParams.get('from'), 'from');
    const to = parseTime(url.searchParams.get('to'), 'to');
    if (to <= from) throw new UserError('TW_PAYLOAD_INVALID', 'to must be after from');
    const segments = segmentsInRange(await listSegments(join(ctx.recordingsRoot, camera.id)), from, to);
    if (segments.length === 0) throw new NotFoundError('recording in that time range');
    // segment URLs are signed like play URLs (players cannot send the bearer header), inspector audience only
    const { query } = signPlay(ctx.playKey, camera.id, Math.max(ctx.config.playUrlTtlS, 3600), 'i');
    const base = baseUrl(ctx, req);
    const playlist = rangePlaylist(segments, (s) => `${base}/rec/${camera.id}/${s.file}?${query}`);
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store', ...CORS }).end(playlist);
    return;
  }
  if (method === 'GET' && (m = /^\/api\/cameras\/([A-Za-z0-9_-]{3,40})\/(recordings\/spans|clip\.mp4)$/.exec(path))) {
    const claims = inspector(ctx, req);
    const camera = await cameraFor(ctx, claims, m[1] as string);
    const from = parseTime(url.searchParams.get('from'), 'from');
    const to = parseTime(url.searchParams.get('to'), 'to');
    if (to <= from) throw new UserError('TW_PAYLOAD_INVALID', 'to must be after from');
    const dir = join(ctx.recordingsRoot, camera.id);
    const segments = segmentsInRange(await listSegments(dir), from, to);
    if (m[2] !== 'clip.mp4') return sendJson(res, 200, { camera: camera.id, spans: recordedSpans(segments, from, to).map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() })) });
    const clip = await cutClip(dir, segments, from, to);
    res.writeHead(200, {
      'content-type': 'video/mp4', 'content-length': clip.bytes, 'x-sha256': clip.sha256, 'cache-control': 'no-store',
      'content-disposition': `attachment; filename="${camera.id}-${new Date(from).toISOString().replace(/\.\d{3}/, '').replace(/[-:]/g, '')}.mp4"`, ...CORS,
    });
    const body = createReadStream(clip.path);
    body.on('error', () => res.destroy());
    res.on('close', () => void clip.dispose());
    body.pipe(res);
    return;
  }
  if (method === 'GET' && (m = /^\/api\/cameras\/([A-Za-z0-9_-]{3,40})\/health$/.exec(path))) {
    const claims = inspector(ctx, req);
    const camera = await cameraFor(ctx, claims, m[1] as string);
    const h = ctx.health.get(camera.id);
    return sendJson(res, 200, h ?? { camera: camera.id, kitchen: camera.kitchenId, state: 'unknown', reason: 'not checked yet' });
  }
  sendErrorBody(res, 404, 'TW_NOT_FOUND');
}
