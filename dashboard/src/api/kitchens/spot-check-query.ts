import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { CHECKLIST_KEYS } from '../../kitchens/checklist.js';
import { scopeOf, type ApiContext } from '../context.js';

/** A spot check as the API answers it, read in the caller's scope (the kitchen's). */
export const Evidence = z.object({ snapshotId: z.number().int(), cameraId: z.string(), sha256: z.string(), takenAt: z.string() });
const Item = z.object({ key: z.enum(CHECKLIST_KEYS), label: z.string(), pass: z.boolean(), evidence: z.array(Evidence) });
export const SpotCheck = z.object({
  id: z.number().int(), drawId: z.number().int(), kitchenId: z.string(), kitchenName: z.string(), inspectorIds: z.array(z.string()), status: z.string(),
  items: z.array(Item).nullable(), result: z.enum(['pass', 'fail']).nullable(), notes: z.string(), recordedBy: z.string().nullable(), recordedAt: z.string().nullable(),
  recordHash: z.string().nullable(),
  recheckDue: z.string().nullable().meta({ description: 'the re-check date (YYYY-MM-DD) while a rectification is open or was last due' }),
  rectificationRound: z.number().int().meta({ description: 'rectification notices sent so far (0: none)' }),
  closedAt: z.string().nullable(), closedBy: z.string().nullable(),
});
export type SpotCheckOut = z.input<typeof SpotCheck>;
export const iso = (v: unknown): string | null => (v ? (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()) : null);
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
export const SELECT = `s.id::int AS id, s.draw_id::int AS draw_id, s.kitchen_id, k.name AS kitchen_name, s.inspector_ids, s.status, s.items, s.result, s.notes, s.recorded_by, s.recorded_at, s.record_hash,
  s.recheck_due::text AS recheck_due, s.closed_at, s.closed_by, (SELECT count(*)::int FROM rectification_rounds rr WHERE rr.spot_check_id = s.id) AS rounds`;
export const FROM = 'FROM spot_checks s JOIN kitchens k ON k.id = s.kitchen_id';
export const toSpotCheck = (r: Record<string, unknown>): SpotCheckOut => ({
  id: Number(r.id), drawId: Number(r.draw_id), kitchenId: r.kitchen_id as string, kitchenName: r.kitchen_name as string, inspectorIds: json<string[]>(r.inspector_ids),
  status: r.status as string, items: r.items ? json<SpotCheckOut['items']>(r.items) : null, result: (r.result as 'pass' | 'fail' | null) ?? null, notes: r.notes as string,
  recordedBy: (r.recorded_by as string | null) ?? null, recordedAt: iso(r.recorded_at), recordHash: (r.record_hash as string | null) ?? null,
  recheckDue: (r.recheck_due as string | null) ?? null, rectificationRound: Number(r.rounds ?? 0), closedAt: iso(r.closed_at), closedBy: (r.closed_by as string | null) ?? null,
});

export async function readSpotCheck(ctx: ApiContext, req: FastifyRequest, id: number): Promise<SpotCheckOut> {
  const p = new SqlParams();
  const [row] = await ctx.registry.db.query<Record<string, unknown>>(`SELECT ${SELECT} ${FROM} WHERE s.id = ${p.add(id)} AND ${scopeSql.kitchens(await scopeOf(ctx, req), p)}`, p.values);
  if (!row) throw new NotFoundError(`spot check ${id}`);
  return toSpotCheck(row);
}

/** only an inspector the draw assigned (or an admin) records, gathers evidence or decides on a rectification */
export function requireDrawnInspector(req: FastifyRequest, s: SpotCheckOut): void {
  const u = req.session!.user;
  if (u.role !== 'admin' && !s.inspectorIds.includes(u.id)) throw new UserError('TW_FORBIDDEN', 'only the inspectors drawn for this check record it', 403);
}
