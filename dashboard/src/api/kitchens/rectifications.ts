import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { maskPhone } from '@tianwang/alerts/actions';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { PHOTO_TYPES, readImage } from '../../http/image-store.js';
import { defaultRecheck, notPast } from '../../kitchens/recheck.js';
import { RECTIFY_PHOTOS, openRound, queueRoundNotice } from '../../kitchens/rectification.js';
import { auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { IsoDate } from '../schema.js';
import { SpotCheck, iso, readSpotCheck, requireDrawnInspector } from './spot-check-query.js';

const Photo = z.object({ id: z.number().int(), sha256: z.string(), contentType: z.string(), bytes: z.number().int(), createdAt: z.string(), url: z.string() });
const Round = z.object({
  round: z.number().int(), dueOn: z.string(), reason: z.string(), createdBy: z.string(), createdAt: z.string(),
  notice: z.object({ id: z.number().int(), to: z.string(), status: z.string(), sentAt: z.string().nullable(), deliveredAt: z.string().nullable() }).nullable()
    .meta({ description: 'the SMS (null: the kitchen has no contact phone)' }),
  reply: z.object({ note: z.string(), repliedAt: z.string(), repliedBy: z.string(), photos: z.array(Photo) }).nullable(),
  verdict: z.enum(['accepted', 'returned']).nullable(), verdictBy: z.string().nullable(), verdictAt: z.string().nullable(), verdictNote: z.string(),
});
const Params = z.object({ id: z.coerce.number().int().min(1) });
const PhotoParams = z.object({ id: z.coerce.number().int().min(1), photoId: z.coerce.number().int().min(1) });
const ROLES = ['admin', 'inspector'] as const;

/** 整改闭环: the rounds of a failed spot check, the restaurant's replies, the inspector's verdict. */
export function rectificationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const db = ctx.registry.db;

  route(app, { method: 'GET', url: '/spot-checks/:id/rectification', summary: 'The rectification rounds of a spot check', tags: ['kitchens'], roles: ROLES, params: Params, response: z.object({ rounds: z.array(Round) }) }, async (req) => {
    const s = await readSpotCheck(ctx, req, req.params.id);
    const rows = await db.query<Record<string, unknown>>(
      `SELECT r.*, n.id::int AS n_id, n.recipient_phone, n.status AS n_status, n.sent_at, n.delivered_at FROM rectification_rounds r
        LEFT JOIN notifications n ON n.id = r.notification_id WHERE r.spot_check_id = $1 ORDER BY r.round`, [s.id]);
    const photos = await db.query<Record<string, unknown>>('SELECT id::int AS id, round, sha256, content_type, bytes, created_at FROM rectification_photos WHERE spot_check_id = $1 ORDER BY id', [s.id]);
    return {
      rounds: rows.map((r) => ({
        round: Number(r.round), dueOn: iso(r.due_on)!.slice(0, 10), reason: r.reason as string, createdBy: r.created_by as string, createdAt: iso(r.created_at)!,
        notice: r.n_id ? { id: Number(r.n_id), to: maskPhone(r.recipient_phone as string), status: r.n_status as string, sentAt: iso(r.sent_at), deliveredAt: iso(r.delivered_at) } : null,
        reply: r.replied_at ? {
          note: r.reply_note as string, repliedAt: iso(r.replied_at)!, repliedBy: r.replied_by as string,
          photos: photos.filter((p) => Number(p.round) === Number(r.round)).map((p) => ({
            id: Number(p.id), sha256: p.sha256 as string, contentType: p.content_type as string, bytes: Number(p.bytes), createdAt: iso(p.created_at)!, url: `/api/v1/spot-checks/${s.id}/photos/${Number(p.id)}`,
          })),
        } : null,
        verdict: (r.verdict as 'accepted' | 'returned' | null) ?? null, verdictBy: (r.verdict_by as string | null) ?? null, verdictAt: iso(r.verdict_at), verdictNote: r.verdict_note as string,
      })),
    };
  });

  route(app, {
    method: 'GET', url: '/spot-checks/:id/photos/:photoId', summary: 'A rectification photo the restaurant sent', tags: ['kitchens'], roles: ROLES, params: PhotoParams, produces: [...PHOTO_TYPES],
    response: z.string().meta({ description: 'the image' }),
  }, async (req, reply) => {
    const s = await readSpotCheck(ctx, req, req.params.id);
    const [p] = await db.query<{ sha256: string; content_type: string }>('SELECT sha256, content_type FROM rectification_photos WHERE id = $1 AND spot_check_id = $2', [req.params.photoId, s.id]);
    const bytes = p && (await readImage(ctx.dataDir, RECTIFY_PHOTOS, p.sha256));
    if (!p || !bytes) throw new NotFoundError(`photo ${req.params.photoId}`);
    return reply.type(p.content_type).header('cache-control', 'private, max-age=31536000, immutable').header('x-content-sha256', p.sha256).send(bytes);
  });

  /** the verdict on the latest round's reply: accepted closes the check, returned opens the next round */
  const decide = (verdict: 'accepted' | 'returned') => async (req: { params: { id: number }; body: { note?: string; reason?: string; recheckDue?: string | undefined } } & Parameters<typeof readSpotCheck>[1]) => {
    const s = await readSpotCheck(ctx, req, req.params.id);
    requireDrawnInspector(req, s);
    if (s.status !== 'replied') throw new UserError('TW_CONFLICT', `spot check ${s.id} has no rectification reply to decide on (status ${s.status})`, 409);
    const user = req.session!.user.id;
    const note = (verdict === 'accepted' ? req.body.note : req.body.reason) ?? '';
    const dueOn = req.body.recheckDue ?? defaultRecheck(ctx.timezone);
    if (verdict === 'returned') notPast(ctx, dueOn);
    const now = new Date();
    const notice = await db.transaction(async (tx) => {
      const round = s.rectificationRound;
      const done = await tx.query(
        `UPDATE rectification_rounds SET verdict = $3, verdict_by = $4, verdict_at = $5, verdict_note = $6 WHERE spot_check_id = $1 AND round = $2 AND verdict IS NULL AND replied_at IS NOT NULL RETURNING round`,
        [s.id, round, verdict, user, now, note]);
      const moved = await tx.query(
        `UPDATE spot_checks SET status = $2, closed_at = $3, closed_by = $4 WHERE id = $1 AND status = 'replied' RETURNING id`,
        [s.id, verdict === 'accepted' ? 'closed' : 'rectifying', verdict === 'accepted' ? now : null, verdict === 'accepted' ? user : null]);
      if (!done.length || !moved.length) throw new UserError('TW_CONFLICT', `spot check ${s.id}: the reply was decided on meanwhile`, 409);
      await auditByUser(tx, req, `spot_check.rectification_${verdict}`, 'spot_check', String(s.id), { round, note });
      if (verdict === 'accepted') return undefined;
      const n = await openRound(tx, ctx.rectify, { spotCheckId: s.id, kitchenId: s.kitchenId, round: round + 1, dueOn, reason: note, by: user, at: now });
      await auditByUser(tx, req, 'spot_check.rectification_notice', 'spot_check', String(s.id), { round: round + 1, dueOn, notification: n?.notificationId ?? null });
      return n;
    });
    await queueRoundNotice(ctx.rectify, notice, (err) => ctx.log.warn({ err, spotCheck: s.id }, 'rectification notice not queued; the alerts workers will send it'));
    return readSpotCheck(ctx, req, s.id);
  };

  route(app, {
    method: 'POST', url: '/spot-checks/:id/rectification/accept', summary: 'Accept the restaurant’s rectification (closes the check)', tags: ['kitchens'], roles: ROLES, params: Params,
    body: z.object({ note: z.string().max(500).default('') }), response: SpotCheck,
  }, (req) => decide('accepted')(req));

  route(app, {
    method: 'POST', url: '/spot-checks/:id/rectification/return', summary: 'Send the rectification back: a new notice and re-check date', tags: ['kitchens'], roles: ROLES, params: Params,
    body: z.object({ reason: z.string().trim().min(1).max(500), recheckDue: IsoDate.optional() }), response: SpotCheck,
  }, (req) => decide('returned')(req));
}
