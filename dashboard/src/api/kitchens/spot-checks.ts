import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { canonicalJson, sha256Hex } from '../../kitchens/canonical.js';
import { CHECKLIST, CHECKLIST_KEYS } from '../../kitchens/checklist.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { Id, IsoDate } from '../schema.js';
import { defaultRecheck, notPast } from '../../kitchens/recheck.js';
import { openRound, queueRoundNotice } from '../../kitchens/rectification.js';
import { Evidence, FROM, SELECT, SpotCheck, iso, readSpotCheck, requireDrawnInspector, toSpotCheck } from './spot-check-query.js';

const NewRecord = z.object({
  items: z.array(z.object({ key: z.enum(CHECKLIST_KEYS), pass: z.boolean(), snapshotIds: z.array(z.number().int().min(1)).max(20).default([]) })).min(1).max(CHECKLIST.length),
  notes: z.string().max(2000).default(''),
  recheckDue: IsoDate.optional().meta({ description: 'a failed check: the re-check date (default in 7 days)' }),
});
const Params = z.object({ id: z.coerce.number().int().min(1) });
const Query = listQuery(['id'], 'id', { status: z.enum(['assigned', 'recorded', 'rectifying', 'replied', 'closed']).optional(), recheckBefore: IsoDate.optional(), kitchenId: Id.optional(), drawId: z.coerce.number().int().min(1).optional(), mine: z.enum(['true', 'false']).optional() }, 'desc');
const ROLES = ['admin', 'inspector'] as const;
/** 线上抽检: the tasks a draw made, snapshot evidence through the relay, the signed record. */
export function spotCheckRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const db = ctx.registry.db;
  const one = (req: FastifyRequest, id: number) => readSpotCheck(ctx, req, id);
  const assigned = requireDrawnInspector;

  route(app, { method: 'GET', url: '/spot-checks', summary: 'Spot-check tasks in scope', tags: ['kitchens'], roles: ROLES, querystring: Query, response: listOf(SpotCheck) }, async (req) => {
    const p = new SqlParams();
    const where = [scopeSql.kitchens(await scopeOf(ctx, req), p)];
    if (req.query.status) where.push(`s.status = ${p.add(req.query.status)}`);
    if (req.query.kitchenId) where.push(`s.kitchen_id = ${p.add(req.query.kitchenId)}`);
    if (req.query.recheckBefore) where.push(`s.status IN ('rectifying', 'replied') AND s.recheck_due <= ${p.add(req.query.recheckBefore)}`);
    if (req.query.drawId) where.push(`s.draw_id = ${p.add(req.query.drawId)}`);
    if (req.query.mine === 'true') where.push(`s.inspector_ids ? ${p.add(req.session.user.id)}`);
    return sqlList(db, { select: SELECT, from: FROM, where, params: p, id: 's.id', sorts: { id: 's.id' }, map: toSpotCheck }, req.query, false);
  });

  route(app, { method: 'GET', url: '/spot-checks/:id', summary: 'A spot check', tags: ['kitchens'], roles: ROLES, params: Params, response: SpotCheck }, async (req) => one(req, req.params.id));

  route(app, {
    method: 'POST', url: '/spot-checks/:id/snapshots', summary: 'Take a snapshot of one of the kitchen’s cameras as evidence (through the relay)', tags: ['kitchens'], roles: ROLES,
    params: Params, body: z.object({ cameraId: Id }), response: Evidence, status: 201,
  }, async (req, reply) => {
    const s = await one(req, req.params.id);
    assigned(req, s);
    const [cam] = await db.query('SELECT id FROM cameras WHERE id = $1 AND kitchen_id = $2', [req.body.cameraId, s.kitchenId]);
    if (!cam) throw new NotFoundError(`camera ${req.body.cameraId}`);
    const snap = await ctx.relay.snapshot(req.session.user, req.body.cameraId);
    return reply.code(201).send({ snapshotId: snap.id, cameraId: req.body.cameraId, sha256: snap.sha256, takenAt: snap.takenAt });
  });

  route(app, { method: 'POST', url: '/spot-checks/:id/record', summary: 'Record the online inspection (signed with its hash)', tags: ['kitchens'], roles: ROLES, params: Params, body: NewRecord, response: SpotCheck }, async (req) => {
    const s = await one(req, req.params.id);
    assigned(req, s);
    if (s.status !== 'assigned') throw new UserError('TW_CONFLICT', `spot check ${s.id} is already recorded`, 409);
    const ids = [...new Set(req.body.items.flatMap((i) => i.snapshotIds))];
    // evidence must be snapshots of this kitchen's cameras; their hashes come from the relay's rows, not the request
    const snaps = ids.length
      ? await db.query<{ id: number; camera_id: string; sha256: string; taken_at: unknown }>(
        'SELECT sn.id::int AS id, sn.camera_id, sn.sha256, sn.taken_at FROM snapshots sn JOIN cameras c ON c.id = sn.camera_id WHERE sn.id = ANY($1::bigint[]) AND c.kitchen_id = $2', [ids, s.kitchenId])
      : [];
    const byId = new Map(snaps.map((x) => [Number(x.id), x]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) throw new UserError('TW_PAYLOAD_INVALID', `snapshots ${missing.join(', ')}: not evidence of this kitchen`);
    if (new Set(req.body.items.map((i) => i.key)).size !== req.body.items.length) throw new UserError('TW_PAYLOAD_INVALID', 'items: each checklist item once');
    const items = req.body.items.map((i) => ({
      key: i.key, label: CHECKLIST.find((c) => c.key === i.key)!.label, pass: i.pass,
      evidence: i.snapshotIds.map((id) => { const x = byId.get(id)!; return { snapshotId: id, cameraId: x.camera_id, sha256: x.sha256, takenAt: iso(x.taken_at)! }; }),
    }));
    const failed = items.filter((i) => !i.pass);
    if (failed.some((i) => !i.evidence.length)) throw new UserError('TW_PAYLOAD_INVALID', `items ${failed.filter((i) => !i.evidence.length).map((i) => i.key).join(', ')}: a failed item needs snapshot evidence`);
    const result = failed.length ? 'fail' : 'pass';
    const recordedAt = new Date().toISOString();
    const record = { spotCheckId: s.id, drawId: s.drawId, kitchenId: s.kitchenId, inspector: req.session.user.id, inspectorName: req.session.user.displayName, recordedAt, items, result, notes: req.body.notes };
    const recordHash = sha256Hex(canonicalJson(record));
    const dueOn = req.body.recheckDue ?? defaultRecheck(ctx.timezone);
    if (result === 'fail') notPast(ctx, dueOn);
    const notice = await db.transaction(async (tx) => {
      const done = await tx.query(
        `UPDATE spot_checks SET items = $2, result = $3, notes = $4, recorded_by = $5, recorded_at = $6, record_hash = $7, status = $8 WHERE id = $1 AND status = 'assigned' RETURNING id`,
        [s.id, JSON.stringify(items), result, req.body.notes, req.session.user.id, recordedAt, recordHash, result === 'fail' ? 'rectifying' : 'closed'],
      );
      if (!done.length) throw new UserError('TW_CONFLICT', `spot check ${s.id} is already recorded`, 409);
      await auditByUser(tx, req, 'spot_check.recorded', 'spot_check', String(s.id), { recordHash, result, evidence: items.flatMap((i) => i.evidence.map((e) => e.sha256)) });
      if (result === 'pass') return undefined;
      // problems found: the rectification notice goes out with the record (整改通知), round 1
      const n = await openRound(tx, ctx.rectify, { spotCheckId: s.id, kitchenId: s.kitchenId, round: 1, dueOn, failedKeys: failed.map((i) => i.key), by: req.session.user.id, at: new Date(recordedAt) });
      await auditByUser(tx, req, 'spot_check.rectification_notice', 'spot_check', String(s.id), { round: 1, dueOn, notification: n?.notificationId ?? null });
      return n;
    });
    await queueRoundNotice(ctx.rectify, notice, (err) => ctx.log.warn({ err, spotCheck: s.id }, 'rectification notice not queued; the alerts workers will send it'));
    return one(req, s.id);
  });
}
