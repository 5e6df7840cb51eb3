import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { actorOf, requireAlarm } from './access.js';
import { Photo, toPhoto } from './detail.js';

export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
export const PHOTOS_PER_ALARM = 9;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** The type the bytes say they are (magic numbers): a declared type that the content contradicts is refused. */
export function sniffImage(b: Buffer): (typeof PHOTO_TYPES)[number] | undefined {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Where a photo lives: content-addressed under TW_DATA_DIR/alarm-photos (the same photo twice is one file). */
export const photoPath = (dataDir: string, sha256: string) => join(dataDir, 'alarm-photos', sha256.slice(0, 2), sha256);

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
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body) || !body.length) throw new UserError('TW_PAYLOAD_INVALID', `body: an image (${PHOTO_TYPES.join(', ')}) up to ${PHOTO_MAX_BYTES / 1024 / 1024} MB`, 415);
    const declared = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const type = sniffImage(body);
    if (!type || type !== declared) throw new UserError('TW_PAYLOAD_INVALID', `body: the content is not a ${declared} image`, 415);
    if (a.verifiedAt) throw new UserError('TW_CONFLICT', `alarm ${a.id} is verified: its evidence is final`, 409);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const path = photoPath(ctx.dataDir, sha256);
    await mkdir(join(path, '..'), { recursive: true });
    // write then rename: a reader never sees half a photo
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
    const row = await ctx.registry.db.transaction(async (t) => {
      const [n] = await t.query<{ n: number }>('SELECT count(*)::int AS n FROM alarm_photos WHERE alarm_id = $1', [a.id]);
      if ((n?.n ?? 0) >= PHOTOS_PER_ALARM) throw new UserError('TW_CONFLICT', `an alarm holds at most ${PHOTOS_PER_ALARM} photos`, 409);
      const [r] = await t.query<Record<string, unknown>>(
        'INSERT INTO alarm_photos (alarm_id, sha256, content_type, bytes, uploaded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id, sha256, content_type, bytes, uploaded_by, created_at',
        [a.id, sha256, type, body.length, actorOf(req).name],
      );
      await auditByUser(t, req, 'alarm.photo_added', 'alarm', String(a.id), { photo: Number(r!.id), sha256, bytes: body.length });
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
    const bytes = await readFile(photoPath(ctx.dataDir, p.sha256)).catch(() => undefined);
    if (!bytes) throw new NotFoundError(`photo ${req.params.photoId}`);
    return reply.type(p.content_type).header('cache-control', 'private, max-age=31536000, immutable').header('x-content-sha256', p.sha256).send(bytes);
  });
}
