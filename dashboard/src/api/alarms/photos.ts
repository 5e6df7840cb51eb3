import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { PHOTO_MAX_BYTES, PHOTO_TYPES, checkedImage, readImage, storeImage } from '../../http/image-store.js';
import { auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { actorOf, requireAlarm } from './access.js';
import { Photo, toPhoto } from './detail.js';

export const PHOTOS_PER_ALARM = 9;
/** where alarm photos are stored under TW_DATA_DIR (the hazard evidence bundle reads them too) */
export const ALARM_PHOTOS_FOLDER = 'alarm-photos';
const FOLDER = ALARM_PHOTOS_FOLDER;

const PhotoParams = z.object({ id: z.coerce.number().int().min(1), photoId: z.coerce.number().int().min(1) });
const IdParams = z.object({ id: z.coerce.number().int().min(1) });

/**
 * Rectification photos: POST the image itself as the body (image/jpeg, image/png or image/webp, ≤ 5 MB, at most 9
 * per alarm); it is stored once by its SHA-256 and the row names alarm, hash, type, size and uploader.
 * Registered in its own context: the image body parsers apply to these routes only.
 */
export async function alarmPhotoRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  app.addContentTypeParser([...PHOTO_TYPES], { parseAs: 'buffer', bodyLimit: PHOTO_MAX_BYTES }, (_req, body, done) => done(null, body));

  route(app, {
    method: 'POST', url: '/alarms/:id/photos', summary: 'Upload a rectification photo (the image as the body)', tags: ['alarms'], roles: ['admin', 'unit', 'maintenance'],
    params: IdParams, consumes: [...PHOTO_TYPES], status: 201, response: Photo,
  }, async (req, reply) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    const img = checkedImage(req.body, req.headers['content-type']);
    if (a.verifiedAt) throw new UserError('TW_CONFLICT', `alarm ${a.id} is verified: its evidence is final`, 409);
    await storeImage(ctx.dataDir, FOLDER, img);
    const row = await ctx.registry.db.transaction(async (t) => {
      const [n] = await t.query<{ n: number }>('SELECT count(*)::int AS n FROM alarm_photos WHERE alarm_id = $1', [a.id]);
      if ((n?.n ?? 0) >= PHOTOS_PER_ALARM) throw new UserError('TW_CONFLICT', `an alarm holds at most ${PHOTOS_PER_ALARM} photos`, 409);
      const [r] = await t.query<Record<string, unknown>>(
        'INSERT INTO alarm_photos (alarm_id, sha256, content_type, bytes, uploaded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id, sha256, content_type, bytes, uploaded_by, created_at',
        [a.id, img.sha256, img.type, img.bytes.length, actorOf(req).name],
      );
      await auditByUser(t, req, 'alarm.photo_added', 'alarm', String(a.id), { photo: Number(r!.id), sha256: img.sha256, bytes: img.bytes.length });
      return r!;
    });
    reply.code(201);
    return toPhoto(a.id, row);
  });

  route(app, {
    method: 'GET', url: '/alarms/:id/photos/:photoId', summary: 'A rectification photo', tags: ['alarms'], params: PhotoParams, produces: [...PHOTO_TYPES],
    response: z.string().meta({ description: 'the image' }),
  }, async (req, reply) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    const [p] = await ctx.registry.db.query<{ sha256: string; content_type: string }>('SELECT sha256, content_type FROM alarm_photos WHERE id = $1 AND alarm_id = $2', [req.params.photoId, a.id]);
    if (!p) throw new NotFoundError(`photo ${req.params.photoId}`);
    const bytes = await readImage(ctx.dataDir, FOLDER, p.sha256);
    if (!bytes) throw new NotFoundError(`photo ${req.params.photoId}`);
    return reply.type(p.content_type).header('cache-control', 'private, max-age=31536000, immutable').header('x-content-sha256', p.sha256).send(bytes);
  });
}
