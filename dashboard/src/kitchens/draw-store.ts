import { randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import type { Queryable, Registry } from '@tianwang/core/registry';
import { SqlParams } from '../auth/sql-scope.js';
import {
  DRAW_ALGORITHM, DrawError, canonicalInputs, inputsHashOf, resultHashOf, runDraw, type DrawInputs, type DrawResult, type RiskClass,
} from './draw-algorithm.js';

export interface DrawRequest {
  period: string;
  /** the district node drawn from (its tree); null = everywhere (admins) */
  districtId: string | null;
  /** the district nodes of that tree */
  districtIds: string[] | null;
  count?: number | undefined;
  share?: number | undefined;
  riskClasses?: RiskClass[] | undefined;
  weights: Record<RiskClass, number>;
  inspectorsPerCheck: number;
  seed?: string | undefined;
  createdBy: string;
}

export interface StoredDraw {
  id: number;
  districtId: string | null;
  period: string;
  algorithm: string;
  seed: string;
  inputs: DrawInputs;
  inputsHash: string;
  result: DrawResult;
  resultHash: string;
  createdBy: string;
  createdAt: string;
  publishedAt: string | null;
}

export const DRAW_COLUMNS = `rd.id::int AS id, rd.district_id, rd.period, rd.algorithm, rd.seed, rd.inputs, rd.inputs_hash, rd.result, rd.result_hash, rd.created_by,
  rd.created_at, rd.published_at`;

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
export const toDraw = (r: Record<string, unknown>): StoredDraw => ({
  id: Number(r.id), districtId: (r.district_id as string | null) ?? null, period: r.period as string, algorithm: r.algorithm as string, seed: r.seed as string,
  inputs: json<DrawInputs>(r.inputs), inputsHash: r.inputs_hash as string, result: json<DrawResult>(r.result), resultHash: r.result_hash as string,
  createdBy: r.created_by as string, createdAt: iso(r.created_at), publishedAt: r.published_at ? iso(r.published_at) : null,
});

/** The registry rows a draw is made from, read in one snapshot: kitchens, enabled inspectors, their declared relations. */
async function gatherInputs(db: Queryable, req: DrawRequest): Promise<DrawInputs> {
  const p = new SqlParams();
  const inTree = (col: string) => (req.districtIds ? `${col} = ANY(${p.add(req.districtIds)}::text[])` : 'TRUE');
  const kWhere = [inTree('k.district_id')];
  if (req.riskClasses?.length) kWhere.push(`k.risk_class = ANY(${p.add(req.riskClasses)}::text[])`);
  const kitchens = await db.query<{ id: string; district_id: string; risk_class: RiskClass }>(`SELECT k.id, k.district_id, k.risk_class FROM kitchens k WHERE ${kWhere.join(' AND ')}`, p.values);
  const q = new SqlParams();
  const uTree = req.districtIds ? `u.district_id = ANY(${q.add(req.districtIds)}::text[])` : 'u.district_id IS NOT NULL';
  const inspectors = await db.query<{ id: string; district_id: string }>(`SELECT u.id, u.district_id FROM users u WHERE u.role = 'inspector' AND u.enabled AND ${uTree}`, q.values);
  const conflicts = inspectors.length && kitchens.length
    ? await db.query<{ user_id: string; kitchen_id: string }>('SELECT user_id, kitchen_id FROM inspector_relations WHERE user_id = ANY($1::text[]) AND kitchen_id = ANY($2::text[])', [inspectors.map((u) => u.id), kitchens.map((k) => k.id)])
    : [];
  const n = kitchens.length;
  const count = req.count ?? Math.ceil((req.share ?? 0) * n);
  return canonicalInputs({
    period: req.period, count: Math.min(count, n), inspectorsPerCheck: req.inspectorsPerCheck, weights: req.weights,
    kitchens: kitchens.map((k) => ({ id: k.id, districtId: k.district_id, riskClass: k.risk_class })),
    inspectors: inspectors.map((u) => ({ id: u.id, districtId: u.district_id })),
    conflicts: conflicts.map((c) => ({ userId: c.user_id, kitchenId: c.kitchen_id })),
  });
}

/** Makes a draw and stores it with one spot-check task per drawn kitchen, in one transaction. */
export async function createDraw(registry: Registry, req: DrawRequest): Promise<number> {
  if (req.count === undefined && req.share === undefined) throw new UserError('TW_PAYLOAD_INVALID', 'count or share is required');
  const seed = req.seed ?? randomBytes(32).toString('hex');
  return registry.db.transaction(async (tx) => {
    const inputs = await gatherInputs(tx, req);
    let result: DrawResult;
    try {
      result = runDraw(inputs, seed);
    } catch (err) {
      if (err instanceof DrawError) throw new UserError('TW_PAYLOAD_INVALID', err.message);
      throw err;
    }
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO random_draws (district_id, period, algorithm, seed, inputs, inputs_hash, result, result_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::int AS id`,
      [req.districtId, req.period, DRAW_ALGORITHM, seed, JSON.stringify(inputs), inputsHashOf(inputs), JSON.stringify(result), resultHashOf(result), req.createdBy],
    );
    for (const c of result.checks)
      await tx.query('INSERT INTO spot_checks (draw_id, kitchen_id, inspector_ids) VALUES ($1, $2, $3)', [row!.id, c.kitchenId, JSON.stringify(c.inspectorIds)]);
    return Number(row!.id);
  });
}

export interface Verification {
  ok: boolean;
  algorithm: string;
  inputsHash: { stored: string; computed: string };
  resultHash: { stored: string; computed: string };
  /** the re-run's checks equal the stored ones */
  resultMatches: boolean;
  error?: string;
}

/** Re-runs a stored draw from its stored inputs and seed: the hashes and the result must all agree. */
export function verifyDraw(d: StoredDraw): Verification {
  const canonical = canonicalInputs(d.inputs);
  const computedInputs = inputsHashOf(canonical);
  let rerun: DrawResult | null = null;
  let error: string | undefined;
  if (d.algorithm !== DRAW_ALGORITHM) error = `unknown algorithm ${d.algorithm}`;
  else {
    try {
      rerun = runDraw(canonical, d.seed);
    } catch (err) {
      error = (err as Error).message;
    }
  }
  const computedResult = rerun ? resultHashOf(rerun) : '';
  const resultMatches = computedResult === resultHashOf(d.result);
  const ok = !error && computedInputs === d.inputsHash && resultMatches && computedResult === d.resultHash;
  return {
    ok, algorithm: d.algorithm, inputsHash: { stored: d.inputsHash, computed: computedInputs }, resultHash: { stored: d.resultHash, computed: computedResult }, resultMatches,
    ...(error ? { error } : {}),
  };
}

export async function readDraw(db: Queryable, id: number, where: string, params: SqlParams): Promise<StoredDraw> {
  const [row] = await db.query<Record<string, unknown>>(`SELECT ${DRAW_COLUMNS} FROM random_draws rd WHERE rd.id = ${params.add(id)} AND ${where}`, params.values);
  if (!row) throw new NotFoundError(`draw ${id}`);
  return toDraw(row);
}
