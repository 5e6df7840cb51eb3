import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '@tianwang/core/errors';
import { auditQueries, type Registry } from '@tianwang/core/registry';
import { PHOTO_MAX_BYTES, PHOTO_TYPES, checkedImage, storeImage } from '../../http/image-store.js';
import { PHOTOS_PER_ROUND, RECTIFY_PHOTOS } from '../../kitchens/rectification.js';
import { resolveRectifyLink, type RectifyClaims } from '../../kitchens/rectify-link.js';
import { errorBody, page } from '../ack/view.js';
import { RECTIFY_CSS, RECTIFY_SCRIPT, rectifyCard, type RectifyView } from './view.js';

export interface RectifyPluginOptions {
  registry: Registry;
  /** key derived for 'rectify-link' */
  linkKey: Buffer;
  dataDir: string;
  timezone: string;
}

type Params = { id: string };
const BRAND: [string, string] = ['天网 · 明厨亮灶', 'Tianwang bright kitchens'];
// this page runs one script (the photo upload) and shows the chosen photos before sending them
const csp = (nonce: string) =>
  `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src blob: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/**
 * The reply page behind the link in a kitchen's rectification notice: `/r/<id>`. No login: the link is the capability
 * (a short id for a signed, expiring token naming spot check, round and recipient). The restaurant sees what failed and
 * by when to fix it, uploads photos (each its own POST, the image as the body: type checked against the bytes, stored
 * by SHA-256) and sends a note, which moves the check to `replied` for the inspector. POSTs carry a token bound to the
 * link and are refused when the browser says they come from another site (as on the acknowledgement page).
 */
export async function rectifyPlugin(app: FastifyInstance, o: RectifyPluginOptions): Promise<void> {
  const db = o.registry.db;
  const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: o.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const csrfFor = (id: string) => createHmac('sha256', o.linkKey).update(`csrf|rectify|${id}`).digest('base64url');
  app.addContentTypeParser([...PHOTO_TYPES], { parseAs: 'buffer', bodyLimit: PHOTO_MAX_BYTES }, (_req, body, done) => done(null, body));

  async function resolve(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, html = true): Promise<RectifyClaims | undefined> {
    const r = await resolveRectifyLink(db, o.linkKey, req.params.id);
    if (r.ok) return r.claims;
    const expired = r.reason === 'expired';
    if (!html) await reply.code(expired ? 410 : 404).send({ code: 'TW_NOT_FOUND', message: expired ? 'link expired' : 'link not valid' });
    else await reply.code(expired ? 410 : 404).type('text/html; charset=utf-8').send(page(reply.cspNonce, expired ? '链接已过期' : '链接无效', errorBody(expired ? 'expired' : 'unknown'), { brand: BRAND }));
    return undefined;
  }

  /** the spot check and the link's round as they stand now */
  async function current(c: RectifyClaims) {
    const [r] = await db.query<Record<string, unknown>>(
      `SELECT s.status, s.recorded_at, k.name, k.licence_no, (SELECT max(round) FROM rectification_rounds x WHERE x.spot_check_id = s.id) AS latest,
              r.due_on::text AS due_on, r.reason, r.reply_note, r.replied_at
         FROM spot_checks s JOIN kitchens k ON k.id = s.kitchen_id JOIN rectification_rounds r ON r.spot_check_id = s.id AND r.round = $2 WHERE s.id = $1`, [c.k, c.n]);
    if (!r) return undefined;
    const latest = Number(r.latest);
    const state: RectifyView['state'] = r.status === 'closed' ? 'closed' : latest !== c.n ? 'superseded' : r.replied_at ? 'replied' : 'open';
    return { row: r, state };
  }

  /** a POST from this page: same site, and the form token bound to the link */
  function refused(req: FastifyRequest, reply: FastifyReply, given: unknown): boolean {
    const site = req.headers['sec-fetch-site'];
    const expected = Buffer.from(csrfFor((req.params as Params).id));
    const got = Buffer.from(String(given ?? ''));
    if ((site && site !== 'same-origin' && site !== 'none') || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      void reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'cross-site request, or the form token is missing or wrong' });
      return true;
    }
    return false;
  }

  app.get<{ Params: Params; Querystring: { done?: string } }>('/r/:id', async (req, reply) => {
    const c = await resolve(req, reply);
    if (!c) return reply;
    const cur = await current(c);
    if (!cur) return reply.code(404).type('text/html; charset=utf-8').send(page(reply.cspNonce, '链接无效', errorBody('unknown'), { brand: BRAND }));
    const [n] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rectification_photos WHERE spot_check_id = $1 AND round = $2', [c.k, c.n]);
    const r = cur.row;
    const v: RectifyView = {
      kitchen: r.name as string, licenceNo: r.licence_no as string, round: c.n, dueOn: r.due_on as string, reason: r.reason as string,
      recordedAt: fmt.format(new Date(r.recorded_at as string)), state: cur.state,
      ...(r.replied_at ? { reply: { note: r.reply_note as string, photos: Number(n?.n ?? 0), at: fmt.format(new Date(r.replied_at as string)) } } : {}),
    };
    const done = req.query.done === 'reply' ? '<p class="ok" role="status">整改情况已提交，监管人员将进行复查。<br><span class="en">Fix sent. The inspector will re-check.</span></p>' : '';
    return reply.type('text/html; charset=utf-8').header('content-security-policy', csp(reply.cspNonce))
      .send(page(reply.cspNonce, `整改通知 · ${v.kitchen}`, done + rectifyCard(v, `/r/${req.params.id}`, csrfFor(req.params.id)), { brand: BRAND, css: RECTIFY_CSS, script: RECTIFY_SCRIPT }));
  });

  app.post<{ Params: Params }>('/r/:id/photos', async (req, reply) => {
    if (refused(req, reply, req.headers['x-csrf-token'])) return reply;
    const c = await resolve(req, reply, false);
    if (!c) return reply;
    const img = checkedImage(req.body, req.headers['content-type']);
    const cur = await current(c);
    if (cur?.state !== 'open') throw new UserError('TW_CONFLICT', 'this notice takes no more photos', 409);
    await storeImage(o.dataDir, RECTIFY_PHOTOS, img);
    const id = await db.transaction(async (tx) => {
      const [n] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM rectification_photos WHERE spot_check_id = $1 AND round = $2', [c.k, c.n]);
      if ((n?.n ?? 0) >= PHOTOS_PER_ROUND) throw new UserError('TW_CONFLICT', `at most ${PHOTOS_PER_ROUND} photos per notice`, 409);
      const [row] = await tx.query<{ id: number }>('INSERT INTO rectification_photos (spot_check_id, round, sha256, content_type, bytes) VALUES ($1, $2, $3, $4, $5) RETURNING id::int AS id',
        [c.k, c.n, img.sha256, img.type, img.bytes.length]);
      return Number(row!.id);
    });
    return reply.code(201).send({ id, sha256: img.sha256, contentType: img.type, bytes: img.bytes.length });
  });

  app.post<{ Params: Params; Body: { csrf?: string; note?: string } }>('/r/:id/reply', async (req, reply) => {
    const body = req.body ?? {};
    if (refused(req, reply, body.csrf)) return reply;
    const c = await resolve(req, reply);
    if (!c) return reply;
    const note = String(body.note ?? '').trim().slice(0, 500);
    if (!note) return reply.code(400).send({ code: 'TW_PAYLOAD_INVALID', message: 'note is required' });
    const replied = await db.transaction(async (tx) => {
      const photos = await tx.query<{ sha256: string }>('SELECT sha256 FROM rectification_photos WHERE spot_check_id = $1 AND round = $2 ORDER BY id', [c.k, c.n]);
      if (!photos.length) throw new UserError('TW_PAYLOAD_INVALID', 'photos: at least one photo of the fix', 400);
      // only the latest round of a check still waiting for a reply takes one; a second post is a harmless no-op
      const moved = await tx.query(
        `UPDATE spot_checks SET status = 'replied' WHERE id = $1 AND status = 'rectifying' AND (SELECT max(round) FROM rectification_rounds WHERE spot_check_id = $1) = $2 RETURNING id`, [c.k, c.n]);
      if (!moved.length) return false;
      await tx.query('UPDATE rectification_rounds SET reply_note = $3, replied_at = now(), replied_by = $4 WHERE spot_check_id = $1 AND round = $2', [c.k, c.n, note, c.r]);
      await auditQueries(tx).append({
        actor: c.r, actorType: 'contact', action: 'spot_check.rectification_replied', subjectType: 'spot_check', subjectId: String(c.k), via: 'sms_link',
        detail: { round: c.n, photos: photos.map((p) => p.sha256), ip: req.ip },
      });
      return true;
    });
    // post/redirect/get: a reload does not post again
    return reply.redirect(`/r/${req.params.id}${replied ? '?done=reply' : ''}`, 303);
  });
}
