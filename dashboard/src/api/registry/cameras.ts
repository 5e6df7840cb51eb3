import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { generateSecret, hashSecret } from '@tianwang/core/crypto';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { Id, IdParams } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { changes, insertRow, oneInScope, pick, updateRow } from './crud.js';

const AREAS = ['cold_dish', 'raw', 'cooking', 'dishwashing', 'storage', 'other'] as const;
const SOURCE = z.string().max(500).regex(/^rtsps?:\/\/\S+$/, 'an rtsp:// or rtsps:// URL').meta({ description: 'pull cameras: the RTSP URL (stored sealed, never shown again)' });
const Fields = {
  kitchenId: Id,
  area: z.enum(AREAS),
  name: z.string().max(60),
  recordingEnabled: z.boolean(),
  recordingHours: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/).nullable(),
  enabled: z.boolean(),
};
const KEYS = Object.keys(Fields);
const NewCamera = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{3,40}$/), ...z.object(Fields).partial().shape, kitchenId: Fields.kitchenId, area: Fields.area, mode: z.enum(['push', 'pull']), sourceUrl: SOURCE.optional() });
const PatchCamera = z.object({ ...Fields, sourceUrl: SOURCE }).partial();
const Camera = z.object({
  id: z.string(), kitchenId: z.string(), kitchenName: z.string(), area: z.string(), name: z.string(), mode: z.string(), hasSource: z.boolean(), hasPublishCredential: z.boolean(),
  recordingEnabled: z.boolean(), recordingHours: z.string().nullable(), enabled: z.boolean(),
});
type CameraOut = z.input<typeof Camera>;
const Secret = z.string().nullable().meta({ description: 'push cameras: the publish secret, shown this once (only its hash is kept)' });
const Query = listQuery(['id', 'kitchenName', 'area'], 'id', { kitchenId: Id.optional(), enabled: z.boolean().optional() });
const SELECT = `c.id, c.kitchen_id, k.name AS kitchen_name, c.area, c.name, c.mode, (c.source_url_sealed IS NOT NULL) AS has_source,
  (c.publish_credential_hash IS NOT NULL) AS has_publish, c.recording_enabled, c.recording_hours, c.enabled`;
const FROM = 'FROM cameras c JOIN kitchens k ON k.id = c.kitchen_id';
const toCamera = (r: Record<string, unknown>): CameraOut => ({
  id: r.id as string, kitchenId: r.kitchen_id as string, kitchenName: r.kitchen_name as string, area: r.area as string, name: r.name as string, mode: r.mode as string,
  hasSource: r.has_source as boolean, hasPublishCredential: r.has_publish as boolean, recordingEnabled: r.recording_enabled as boolean,
  recordingHours: (r.recording_hours as string | null) ?? null, enabled: r.enabled as boolean,
});
const COLUMNS: Column<CameraOut>[] = [
  { header: '编号', value: (c) => c.id, width: 14 }, { header: '餐饮单位', value: (c) => c.kitchenName, width: 24 }, { header: '区域', value: (c) => c.area },
  { header: '名称', value: (c) => c.name }, { header: '接入方式', value: (c) => (c.mode === 'push' ? '推流' : '拉流') }, { header: '录像', value: (c) => (c.recordingEnabled ? '是' : '') },
  { header: '启用', value: (c) => (c.enabled ? '是' : '') },
];
const ROLES = ['admin', 'inspector', 'unit'] as const;

/** Kitchen cameras: read with their kitchen's scope; registered by admins (push: a publish secret, pull: a sealed RTSP URL). */
export function cameraRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // a camera is in scope with its kitchen
  const one = (req: FastifyRequest, id: string) => oneInScope(ctx, req, id, { select: SELECT, from: FROM, idColumn: 'c.id', scope: scopeSql.kitchens, what: 'camera', map: toCamera });

  route(app, { method: 'GET', url: '/cameras', summary: 'Cameras in scope', tags: ['cameras'], roles: ROLES, querystring: Query, response: listOf(Camera), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const p = new SqlParams();
    const where = [scopeSql.kitchens(await scopeOf(ctx, req), p)];
    if (req.query.kitchenId) where.push(`c.kitchen_id = ${p.add(req.query.kitchenId)}`);
    if (req.query.enabled !== undefined) where.push(`c.enabled = ${p.add(req.query.enabled)}`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, { select: SELECT, from: FROM, where, params: p, id: 'c.id', map: toCamera, sorts: { id: 'c.id', kitchenName: 'k.name', area: 'c.area' } }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'cameras', sheet: '摄像头' }, COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/cameras/:id', summary: 'A camera in scope', tags: ['cameras'], roles: ROLES, params: IdParams, response: Camera }, async (req) => one(req, req.params.id));

  route(app, { method: 'POST', url: '/cameras', summary: 'Register a camera', tags: ['cameras'], roles: ['admin'], body: NewCamera, response: z.object({ camera: Camera, secret: Secret }), status: 201 }, async (req, reply) => {
    const b = req.body;
    if (b.mode === 'pull' && !b.sourceUrl) throw new UserError('TW_PAYLOAD_INVALID', 'sourceUrl: a pull camera needs its RTSP URL');
    if (b.mode === 'push' && b.sourceUrl) throw new UserError('TW_PAYLOAD_INVALID', 'sourceUrl: a push camera has none (it publishes to the relay)');
    const secret = b.mode === 'push' ? generateSecret() : null;
    await ctx.registry.db.transaction(async (tx) => {
      const after = await insertRow(tx, 'cameras', {
        id: b.id, mode: b.mode, name: '', ...pick(b, KEYS),
        sourceUrlSealed: b.sourceUrl ? ctx.cameraBox.seal(b.sourceUrl) : null, publishCredentialHash: secret ? hashSecret(secret) : null,
      });
      await auditByUser(tx, req, 'camera.created', 'camera', b.id, { after });
    });
    return reply.code(201).send({ camera: await one(req, b.id), secret });
  });

  route(app, { method: 'PATCH', url: '/cameras/:id', summary: 'Edit, disable or enable a camera', tags: ['cameras'], roles: ['admin'], params: IdParams, body: PatchCamera, response: Camera }, async (req) => {
    await ctx.registry.db.transaction(async (tx) => {
      const fields = pick(req.body, KEYS);
      if (req.body.sourceUrl !== undefined) {
        const [cur] = await tx.query<{ mode: string }>('SELECT mode FROM cameras WHERE id = $1', [req.params.id]);
        if (cur?.mode !== 'pull') throw new UserError('TW_PAYLOAD_INVALID', 'sourceUrl: only a pull camera has one');
        fields.sourceUrlSealed = ctx.cameraBox.seal(req.body.sourceUrl);
      }
      const r = await updateRow(tx, 'cameras', req.params.id, fields, 'camera');
      await auditByUser(tx, req, 'camera.updated', 'camera', req.params.id, { ...changes(r.before, r.after), ...(req.body.sourceUrl !== undefined ? { sourceUrl: 'changed' } : {}) });
    });
    return one(req, req.params.id);
  });

  route(app, { method: 'POST', url: '/cameras/:id/credential', summary: 'Rotate a push camera\'s publish secret (answers it once)', tags: ['cameras'], roles: ['admin'], params: IdParams, response: z.object({ id: z.string(), secret: z.string() }) }, async (req) => {
    const secret = generateSecret();
    await ctx.registry.db.transaction(async (tx) => {
      const [cur] = await tx.query<{ mode: string }>('SELECT mode FROM cameras WHERE id = $1', [req.params.id]);
      if (!cur) throw new NotFoundError(`camera ${req.params.id}`);
      if (cur.mode !== 'push') throw new UserError('TW_PAYLOAD_INVALID', 'only a push camera has a publish secret');
      await updateRow(tx, 'cameras', req.params.id, { publishCredentialHash: hashSecret(secret) }, 'camera');
      await auditByUser(tx, req, 'camera.credential_rotated', 'camera', req.params.id);
    });
    return { id: req.params.id, secret };
  });
}
