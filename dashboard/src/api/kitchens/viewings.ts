import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '@tianwang/core/errors';
import { SqlParams } from '../../auth/sql-scope.js';
import type { ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { cameraInScope } from './camera-scope.js';
import { Id, IdParams } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';

const Play = z.object({
  viewingId: z.number().int(), flv: z.string(), wsFlv: z.string(), hls: z.string(), expiresAt: z.union([z.string(), z.number()]).meta({ description: 'when the signed URLs stop being accepted for a new connection' }),
});
const Viewing = z.object({
  id: z.number().int(), userId: z.string(), userName: z.string(), cameraId: z.string(), kitchenId: z.string(), kitchenName: z.string(),
  startedAt: z.string(), lastSeenAt: z.string(), endedAt: z.string().nullable(), durationS: z.number().int(),
});
type ViewingOut = z.input<typeof Viewing>;
const ViewingParams = z.object({ id: z.coerce.number().int().min(1) });
const Query = listQuery(['id'], 'id', { userId: Id.optional(), kitchenId: Id.optional(), cameraId: Id.optional() }, 'desc');
const ROLES = ['admin', 'inspector'] as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const SELECT = `v.id::int AS id, v.user_id, usr.display_name, v.camera_id, v.kitchen_id, k.name AS kitchen_name, v.started_at, v.last_seen_at, v.ended_at`;
const FROM = 'FROM camera_viewings v JOIN users usr ON usr.id = v.user_id JOIN kitchens k ON k.id = v.kitchen_id';
const toViewing = (r: Record<string, unknown>): ViewingOut => {
  const start = iso(r.started_at);
  const end = r.ended_at ? iso(r.ended_at) : iso(r.last_seen_at);
  return {
    id: Number(r.id), userId: r.user_id as string, userName: r.display_name as string, cameraId: r.camera_id as string, kitchenId: r.kitchen_id as string, kitchenName: r.kitchen_name as string,
    startedAt: start, lastSeenAt: iso(r.last_seen_at), endedAt: r.ended_at ? iso(r.ended_at) : null, durationS: Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000)),
  };
};
const COLUMNS: Column<ViewingOut>[] = [
  { header: '编号', value: (v) => v.id }, { header: '观看人', value: (v) => v.userName, width: 16 }, { header: '摄像头', value: (v) => v.cameraId, width: 16 },
  { header: '餐饮单位', value: (v) => v.kitchenName, width: 24 }, { header: '开始', value: (v) => v.startedAt, width: 24 }, { header: '结束', value: (v) => v.endedAt ?? v.lastSeenAt, width: 24 },
  { header: '时长(秒)', value: (v) => v.durationS },
];

/**
 * Live viewing through the relay, audited: the dashboard issues a camera's signed play URLs to a signed-in
 * inspector or admin (camera in scope, else 404) and records the viewing; the player renews the URLs before they
 * expire (which moves last_seen_at) and ends the viewing when it stops. Admins read the audit.
 */
export function viewingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const db = ctx.registry.db;
  /** the caller's own open viewing (another user's or an ended one is not found) */
  const ownViewing = async (req: FastifyRequest, id: number) => {
    const [row] = await db.query<{ camera_id: string }>('SELECT camera_id FROM camera_viewings WHERE id = $1 AND user_id = $2 AND ended_at IS NULL', [id, req.session!.user.id]);
    if (!row) throw new NotFoundError(`viewing ${id}`);
    return row;
  };

  route(app, { method: 'POST', url: '/cameras/:id/play', summary: 'Signed play URLs of a camera; starts an audited viewing', tags: ['kitchens'], roles: ROLES, params: IdParams, response: Play }, async (req) => {
    const cam = await cameraInScope(ctx, req, req.params.id, true);
    const urls = await ctx.relay.playUrls(req.session.user, cam.id);
    const [v] = await db.query<{ id: number }>('INSERT INTO camera_viewings (user_id, camera_id, kitchen_id) VALUES ($1, $2, $3) RETURNING id::int AS id', [req.session.user.id, cam.id, cam.kitchen_id]);
    return { viewingId: Number(v!.id), ...urls };
  });

  route(app, { method: 'POST', url: '/viewings/:id/renew', summary: 'Fresh play URLs for an open viewing (before they expire)', tags: ['kitchens'], roles: ROLES, params: ViewingParams, response: Play }, async (req) => {
    const v = await ownViewing(req, req.params.id);
    // the camera may have left the caller's scope meanwhile: then the viewing ends here
    await cameraInScope(ctx, req, v.camera_id, true);
    const urls = await ctx.relay.playUrls(req.session.user, v.camera_id);
    await db.query('UPDATE camera_viewings SET last_seen_at = now() WHERE id = $1', [req.params.id]);
    return { viewingId: req.params.id, ...urls };
  });

  route(app, { method: 'POST', url: '/viewings/:id/end', summary: 'End a viewing', tags: ['kitchens'], roles: ROLES, params: ViewingParams, response: null }, async (req, reply) => {
    await ownViewing(req, req.params.id);
    await db.query('UPDATE camera_viewings SET last_seen_at = now(), ended_at = now() WHERE id = $1 AND ended_at IS NULL', [req.params.id]);
    return reply.code(204).send();
  });

  route(app, { method: 'GET', url: '/viewings', summary: 'Viewing audit: who watched which camera, when, how long', tags: ['kitchens'], roles: ['admin'], querystring: Query, response: listOf(Viewing), produces: [XLSX] }, async (req, reply) => {
    const p = new SqlParams();
    const where: string[] = [];
    if (req.query.userId) where.push(`v.user_id = ${p.add(req.query.userId)}`);
    if (req.query.kitchenId) where.push(`v.kitchen_id = ${p.add(req.query.kitchenId)}`);
    if (req.query.cameraId) where.push(`v.camera_id = ${p.add(req.query.cameraId)}`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(db, { select: SELECT, from: FROM, where, params: p, id: 'v.id', sorts: { id: 'v.id' }, map: toViewing }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'viewings', sheet: '观看记录' }, COLUMNS, page.items) : page;
  });
}
