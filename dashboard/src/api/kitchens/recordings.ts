import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import { auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { IdParams } from '../schema.js';
import { cameraInScope } from './camera-scope.js';

const Time = z.string().regex(/^(\d{10,14}|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))$/).meta({ description: 'epoch ms or ISO time with its offset' });
/** the route validates the shape; the time itself is read here (route() hands handlers the query as sent) */
const ms = (v: string) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v));
const Range = z.object({ from: Time, to: Time });
const ClipQuery = Range.extend({ download: z.enum(['true', 'false']).default('false').meta({ description: 'true: an attachment, audited' }) });
const Spans = z.object({ cameraId: z.string(), spans: z.array(z.object({ start: z.string(), end: z.string() })) });
const ROLES = ['admin', 'inspector'] as const;
/** the recordings kept (TW_RECORDING_DAYS default 7): a range reaching further back has nothing more to show */
const MAX_RANGE_MS = 8 * 86_400_000;

const checked = (q: { from: string; to: string }) => {
  const from = ms(q.from);
  const to = ms(q.to);
  if (!(to > from)) throw new UserError('TW_PAYLOAD_INVALID', 'to must be after from');
  if (to - from > MAX_RANGE_MS) throw new UserError('TW_PAYLOAD_INVALID', 'a range is at most 8 days');
  return { from, to };
};

/**
 * 录像回放 through the relay (docs/streams.md "Spans and clips"): which stretches of a range are recorded (the
 * timeline) and a range cut to MP4, streamed through with its SHA-256 in `x-content-sha256`. The page plays clips
 * inline; `download=true` makes it an attachment and writes `recording.clip_downloaded` (hash, range) to the audit log,
 * since a downloaded clip leaves the platform.
 */
export function recordingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/cameras/:id/recordings', summary: 'The recorded stretches of a time range (from, to: ISO or epoch ms; ≤ 8 days)', tags: ['kitchens'], roles: ROLES,
    params: IdParams, querystring: Range, response: Spans,
  }, async (req) => {
    const cam = await cameraInScope(ctx, req, req.params.id);
    const q = checked(req.query);
    return { cameraId: cam.id, spans: await ctx.relay.recordedSpans(req.session.user, cam.id, q.from, q.to) };
  });

  route(app, {
    method: 'GET', url: '/cameras/:id/clip', summary: 'A recorded range cut to MP4 (≤ 30 min); x-content-sha256 is its SHA-256', tags: ['kitchens'], roles: ROLES,
    params: IdParams, querystring: ClipQuery, produces: ['video/mp4'], response: z.string().meta({ description: 'the MP4' }),
  }, async (req, reply) => {
    const cam = await cameraInScope(ctx, req, req.params.id);
    const q = checked(req.query);
    const clip = await ctx.relay.clip(req.session.user, cam.id, q.from, q.to);
    const name = `${cam.id}-${new Date(q.from).toISOString().replace(/\.\d{3}/, '').replace(/[-:]/g, '')}.mp4`;
    if (req.query.download === 'true') await auditByUser(ctx.registry.db, req, 'recording.clip_downloaded', 'camera', cam.id, { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), sha256: clip.sha256, bytes: clip.bytes });
    return reply
      .type('video/mp4').header('content-length', clip.bytes).header('x-content-sha256', clip.sha256).header('cache-control', 'private, no-store')
      .header('content-disposition', `${req.query.download === 'true' ? 'attachment' : 'inline'}; filename="${name}"`)
      .send(Readable.fromWeb(clip.body as import('node:stream/web').ReadableStream));
  });
}
