import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, OperationalError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { sha256Hex } from '../../kitchens/canonical.js';
import { scopeOf, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { cameraInScope } from './camera-scope.js';
import { IdParams } from '../schema.js';

const Health = z.object({
  cameraId: z.string(), state: z.enum(['ok', 'offline', 'blank', 'frozen', 'unknown']), reason: z.string(), checkedAt: z.string().nullable(),
});
const SnapshotParams = z.object({ id: z.coerce.number().int().min(1) });
const ROLES = ['admin', 'inspector'] as const;

/**
 * What the video wall and the spot-check page read of a camera besides its stream, through the relay with the
 * caller's own bearer token: the health monitor's latest state (live / offline / blank / frozen on a tile) and a
 * snapshot's JPEG (evidence shown in the browser, same origin, so the app's CSP needs no relay origin for images).
 */
export function cameraMediaRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const db = ctx.registry.db;

  route(app, { method: 'GET', url: '/cameras/:id/health', summary: 'A camera’s latest health (the relay’s monitor)', tags: ['kitchens'], roles: ROLES, params: IdParams, response: Health }, async (req) => {
    const cam = await cameraInScope(ctx, req, req.params.id);
    return { cameraId: cam.id, ...(await ctx.relay.health(req.session.user, cam.id)) };
  });

  route(app, {
    method: 'GET', url: '/snapshots/:id', summary: 'A snapshot’s JPEG (evidence); x-content-sha256 is its recorded hash', tags: ['kitchens'], roles: ROLES, params: SnapshotParams,
    produces: ['image/jpeg'], response: z.string().meta({ description: 'the JPEG' }),
  }, async (req, reply) => {
    const p = new SqlParams();
    const [snap] = await db.query<{ sha256: string }>(
      `SELECT sn.sha256 FROM snapshots sn JOIN cameras c ON c.id = sn.camera_id JOIN kitchens k ON k.id = c.kitchen_id
       WHERE sn.id = ${p.add(req.params.id)} AND ${scopeSql.kitchens(await scopeOf(ctx, req), p)}`, p.values);
    if (!snap) throw new NotFoundError(`snapshot ${req.params.id}`);
    const jpeg = await ctx.relay.snapshotJpeg(req.session.user, req.params.id);
    // evidence is served only while its bytes still match the recorded hash (a changed file is an error, not evidence)
    if (sha256Hex(jpeg) !== snap.sha256) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `snapshot ${req.params.id}: the relay's file no longer matches its recorded SHA-256`);
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=31536000, immutable').header('x-content-sha256', snap.sha256).send(jpeg);
  });
}
