import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import type { Queryable } from '@tianwang/core/registry';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { createDraw, readDraw, verifyDraw, type StoredDraw } from '../../kitchens/draw-store.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { Id } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';

const Risk = z.enum(['A', 'B', 'C', 'D']);
const Weights = z.object({ A: z.number().min(0).max(100), B: z.number().min(0).max(100), C: z.number().min(0).max(100), D: z.number().min(0).max(100) });
const DEFAULT_WEIGHTS = { A: 1, B: 2, C: 3, D: 4 };
const NewDraw = z.object({
  period: z.string().trim().min(1).max(40).meta({ description: 'the period the checks belong to, e.g. 2026-Q4' }),
  districtId: Id.optional().meta({ description: 'the district node to draw from (default: the inspector’s own node; admins: everywhere)' }),
  count: z.number().int().min(1).max(10_000).optional(),
  share: z.number().gt(0).max(1).optional().meta({ description: 'share of the kitchens to draw (rounded up), when count is not given' }),
  riskClasses: z.array(Risk).max(4).optional(),
  weighted: z.boolean().default(true).meta({ description: 'weight kitchens by risk class (false: every kitchen weighs 1)' }),
  weights: Weights.optional().meta({ description: 'weight per risk class; default A 1, B 2, C 3, D 4 (D is the highest risk)' }),
  inspectorsPerCheck: z.number().int().min(2).max(10).default(2),
  seed: z.string().regex(/^[0-9a-f]{64}$/).optional().meta({ description: '32 bytes hex, e.g. announced in advance; default a fresh random seed' }),
});
const Person = z.object({ id: z.string(), displayName: z.string() });
const Check = z.object({ kitchenId: z.string(), kitchenName: z.string(), licenceNo: z.string(), inspectors: z.array(Person) });
const DrawInputsOut = z.object({
  period: z.string(), count: z.number(), inspectorsPerCheck: z.number(), weights: Weights,
  kitchens: z.array(z.object({ id: z.string(), districtId: z.string(), riskClass: z.string() })),
  inspectors: z.array(z.object({ id: z.string(), districtId: z.string() })),
  conflicts: z.array(z.object({ userId: z.string(), kitchenId: z.string() })),
});
const Draw = z.object({
  id: z.number().int(), districtId: z.string().nullable(), period: z.string(), algorithm: z.string(), seed: z.string(), inputsHash: z.string(), resultHash: z.string(),
  createdBy: z.string(), createdAt: z.string(), publishedAt: z.string().nullable(), inputs: DrawInputsOut, checks: z.array(Check),
});
const DrawSummary = z.object({ id: z.number().int(), districtId: z.string().nullable(), period: z.string(), checks: z.number().int(), createdBy: z.string(), createdAt: z.string(), publishedAt: z.string().nullable() });
const Verification = z.object({
  ok: z.boolean(), algorithm: z.string(), inputsHash: z.object({ stored: z.string(), computed: z.string() }), resultHash: z.object({ stored: z.string(), computed: z.string() }),
  resultMatches: z.boolean(), error: z.string().optional(),
});
const DrawParams = z.object({ id: z.coerce.number().int().min(1) });
const Query = listQuery(['id'], 'id', { published: z.enum(['true', 'false']).optional() }, 'desc');
const ROLES = ['admin', 'inspector'] as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SUMMARY_COLUMNS = `rd.id::int AS id, rd.district_id, rd.period, jsonb_array_length(rd.result->'checks') AS checks, rd.created_by, rd.created_at, rd.published_at`;
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const COLUMNS: Column<z.input<typeof DrawSummary>>[] = [
  { header: '编号', value: (d) => d.id }, { header: '期次', value: (d) => d.period, width: 14 }, { header: '辖区', value: (d) => d.districtId ?? '全部' },
  { header: '抽取户数', value: (d) => d.checks }, { header: '抽取人', value: (d) => d.createdBy, width: 16 }, { header: '抽取时间', value: (d) => d.createdAt, width: 24 },
  { header: '公示时间', value: (d) => d.publishedAt ?? '', width: 24 },
];

/** Names of the kitchens and inspectors a draw's result refers to (for the answer; the stored result holds ids). */
export async function namedChecks(db: Queryable, d: StoredDraw): Promise<z.input<typeof Check>[]> {
  const kIds = d.result.checks.map((c) => c.kitchenId);
  const uIds = [...new Set(d.result.checks.flatMap((c) => c.inspectorIds))];
  const ks = new Map((await db.query<{ id: string; name: string; licence_no: string }>('SELECT id, name, licence_no FROM kitchens WHERE id = ANY($1::text[])', [kIds])).map((k) => [k.id, k]));
  const us = new Map((await db.query<{ id: string; display_name: string }>('SELECT id, display_name FROM users WHERE id = ANY($1::text[])', [uIds])).map((u) => [u.id, u.display_name]));
  return d.result.checks.map((c) => ({
    kitchenId: c.kitchenId, kitchenName: ks.get(c.kitchenId)?.name ?? '', licenceNo: ks.get(c.kitchenId)?.licence_no ?? '',
    inspectors: c.inspectorIds.map((id) => ({ id, displayName: us.get(id) ?? '' })),
  }));
}

/** 双随机一公开: make a draw, read it, verify it by re-running it, publish it (docs/dashboard.md "Bright kitchens"). */
export function drawRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const db = ctx.registry.db;
  const one = async (req: FastifyRequest, id: number) => {
    const p = new SqlParams();
    return readDraw(db, id, scopeSql.draws(await scopeOf(ctx, req), p), p);
  };
  const answer = async (d: StoredDraw) => ({ ...d, checks: await namedChecks(db, d) });

  route(app, { method: 'POST', url: '/draws', summary: 'Make a 双随机 draw', tags: ['kitchens'], roles: ROLES, body: NewDraw, response: Draw, status: 201 }, async (req, reply) => {
    const scope = await scopeOf(ctx, req);
    const user = req.session.user;
    const node = req.body.districtId ?? (user.role === 'inspector' ? user.districtId : null);
    let districtIds: string[] | null = null;
    if (node) {
      // a node outside the caller's tree does not exist for it
      if (scope.kind === 'districts' && !scope.districts.has(node)) throw new NotFoundError(`district ${node}`);
      districtIds = await ctx.scopes.subtree(node);
      if (!districtIds.length) throw new NotFoundError(`district ${node}`);
    } else if (scope.kind !== 'all') throw new UserError('TW_PAYLOAD_INVALID', 'districtId: required');
    const b = req.body;
    const weights = b.weighted ? (b.weights ?? DEFAULT_WEIGHTS) : { A: 1, B: 1, C: 1, D: 1 };
    const id = await createDraw(ctx.registry, {
      period: b.period, districtId: node ?? null, districtIds, count: b.count, share: b.share, riskClasses: b.riskClasses, weights,
      inspectorsPerCheck: b.inspectorsPerCheck, seed: b.seed, createdBy: `user:${user.id}`,
    });
    const d = await one(req, id);
    await auditByUser(db, req, 'draw.created', 'draw', String(id), { inputsHash: d.inputsHash, resultHash: d.resultHash, seed: d.seed });
    return reply.code(201).send(await answer(d));
  });

  route(app, { method: 'GET', url: '/draws', summary: '双随机 draws in scope', tags: ['kitchens'], roles: ROLES, querystring: Query, response: listOf(DrawSummary), produces: [XLSX] }, async (req, reply) => {
    const p = new SqlParams();
    const where = [scopeSql.draws(await scopeOf(ctx, req), p)];
    if (req.query.published) where.push(req.query.published === 'true' ? 'rd.published_at IS NOT NULL' : 'rd.published_at IS NULL');
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(db, {
      select: SUMMARY_COLUMNS, from: 'FROM random_draws rd', where, params: p, id: 'rd.id', sorts: { id: 'rd.id' },
      map: (r) => ({
        id: Number(r.id), districtId: (r.district_id as string | null) ?? null, period: r.period as string, checks: Number(r.checks), createdBy: r.created_by as string,
        createdAt: iso(r.created_at), publishedAt: r.published_at ? iso(r.published_at) : null,
      }),
    }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'draws', sheet: '双随机抽取' }, COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/draws/:id', summary: 'A draw: inputs, seed, result', tags: ['kitchens'], roles: ROLES, params: DrawParams, response: Draw }, async (req) => answer(await one(req, req.params.id)));

  route(app, { method: 'GET', url: '/draws/:id/verify', summary: 'Re-run a draw from its recorded inputs and seed', tags: ['kitchens'], roles: ROLES, params: DrawParams, response: Verification }, async (req) =>
    verifyDraw(await one(req, req.params.id)));

  route(app, { method: 'POST', url: '/draws/:id/publish', summary: 'Publish a draw (一公开)', tags: ['kitchens'], roles: ROLES, params: DrawParams, response: Draw }, async (req) => {
    const d = await one(req, req.params.id);
    if (!d.publishedAt) {
      await db.query('UPDATE random_draws SET published_at = now() WHERE id = $1 AND published_at IS NULL', [d.id]);
      await auditByUser(db, req, 'draw.published', 'draw', String(d.id));
    }
    return answer(await one(req, d.id));
  });
}
