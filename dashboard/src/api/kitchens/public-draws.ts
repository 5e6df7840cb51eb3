import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import { SqlParams } from '../../auth/sql-scope.js';
import { readDraw, verifyDraw } from '../../kitchens/draw-store.js';
import type { Queryable } from '@tianwang/core/registry';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';
import { namedChecks } from './draws.js';

const PublicCheck = z.object({ kitchenName: z.string(), licenceNo: z.string(), inspectors: z.array(z.string()) });
const PublicDraw = z.object({
  id: z.number().int(), period: z.string(), algorithm: z.string(), seed: z.string(), inputsHash: z.string(), resultHash: z.string(), drawnAt: z.string(), publishedAt: z.string(),
  kitchens: z.number().int().meta({ description: 'how many kitchens the draw was made from' }), checks: z.array(PublicCheck), verified: z.boolean(),
});
const Params = z.object({ id: z.coerce.number().int().min(1) });
const Query = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), before: z.coerce.number().int().min(1).optional() });

/**
 * 一公开: a published draw as the public sees it (404 if not published). What is shown: the period, the kitchens
 * drawn (name, licence number), the inspectors' names, the seed and the hashes, and whether a re-run agrees. Not
 * shown: user ids, district ids, the inputs (they name users). Cacheable for a minute.
 */
export async function publicDraw(db: Queryable, id: number) {
  const p = new SqlParams();
  const d = await readDraw(db, id, 'rd.published_at IS NOT NULL', p);
  const checks = await namedChecks(db, d);
  return {
    id: d.id, period: d.period, algorithm: d.algorithm, seed: d.seed, inputsHash: d.inputsHash, resultHash: d.resultHash, drawnAt: d.createdAt, publishedAt: d.publishedAt!,
    kitchens: d.inputs.kitchens.length, checks: checks.map((c) => ({ kitchenName: c.kitchenName, licenceNo: c.licenceNo, inspectors: c.inspectors.map((u) => u.displayName) })),
    verified: verifyDraw(d).ok,
  };
}

/** the latest published draws, newest first */
export async function publicDraws(db: Queryable, limit: number, before?: number) {
  const rows = await db.query<{ id: number }>(
    `SELECT id::int AS id FROM random_draws WHERE published_at IS NOT NULL ${before ? 'AND id < $2' : ''} ORDER BY id DESC LIMIT $1`, before ? [limit, before] : [limit]);
  const items = [];
  for (const r of rows) items.push(await publicDraw(db, Number(r.id)));
  return items;
}

export function publicDrawRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const db = ctx.registry.db;
  const limited = async (ip: string) => {
    const wait = await ctx.publicLimit.hit(ip);
    if (wait) throw new UserError('TW_RATE_LIMITED', `too many requests from this address; retry in ${wait} s`, 429);
  };

  route(app, { method: 'GET', url: '/public/draws', auth: 'public', summary: 'Published 双随机 draws (一公开)', tags: ['public'], querystring: Query, response: z.object({ items: z.array(PublicDraw) }) }, async (req, reply) => {
    await limited(req.ip);
    const items = await publicDraws(db, req.query.limit, req.query.before);
    void reply.header('cache-control', 'public, max-age=60');
    return { items };
  });

  route(app, { method: 'GET', url: '/public/draws/:id', auth: 'public', summary: 'A published draw', tags: ['public'], params: Params, response: PublicDraw }, async (req, reply) => {
    await limited(req.ip);
    const d = await publicDraw(db, req.params.id);
    void reply.header('cache-control', 'public, max-age=60');
    return d;
  });
}
