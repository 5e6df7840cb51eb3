import { createHmac } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical.js';

/**
 * The 双随机 draw (docs/dashboard.md "Bright kitchens / the draw"), a pure function of its inputs and seed:
 *
 * 1. The inputs are canonicalised (every list sorted by id, canonical JSON) and hashed: inputsHash = SHA-256.
 * 2. The PRNG: the i-th number (i = 0, 1, …) is the first 53 bits of HMAC-SHA256(key = seed bytes,
 *    message = inputsHash + ":" + i), as an integer n; u = (n + 1) / 2^53, in (0, 1].
 * 3. Kitchens: weighted sampling without replacement by Efraimidis–Spirakis (A-ES): in canonical order each
 *    kitchen takes one u and the key ln(u) / w (w = the weight of its risk class); the `count` largest keys are
 *    drawn, in descending key order (ties: smaller id first).
 * 4. Inspectors, for each drawn kitchen in drawn order: the eligible are the inspectors without a conflict with
 *    it (the kitchen lies in the inspector's own district node or grid, or a declared relation); each eligible
 *    inspector takes one u (canonical order) and the key ln(u); the least loaded so far come first (load = checks
 *    already assigned in this draw), then the larger key; the first `inspectorsPerCheck` are assigned.
 *
 * Anyone with the recorded inputs and seed re-runs it here or in any language with HMAC-SHA256.
 */
export const DRAW_ALGORITHM = 'tw-draw-v1:hmac-sha256-a-es';

export type RiskClass = 'A' | 'B' | 'C' | 'D';
export interface DrawInputs {
  period: string;
  count: number;
  inspectorsPerCheck: number;
  /** weight per risk class (A lowest risk … D highest, 食品生产经营风险分级管理办法) */
  weights: Record<RiskClass, number>;
  kitchens: { id: string; districtId: string; riskClass: RiskClass }[];
  inspectors: { id: string; districtId: string }[];
  /** declared relations: inspector userId ↔ kitchenId */
  conflicts: { userId: string; kitchenId: string }[];
}
export interface DrawResult {
  checks: { kitchenId: string; inspectorIds: string[] }[];
}

export class DrawError extends Error {
  constructor(readonly reason: 'no_kitchens' | 'not_enough_inspectors', message: string) {
    super(message);
  }
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The inputs in canonical form: lists sorted, duplicates removed (what is stored and hashed). */
export function canonicalInputs(i: DrawInputs): DrawInputs {
  const conflicts = [...new Map(i.conflicts.map((c) => [`${c.userId}\u0000${c.kitchenId}`, { userId: c.userId, kitchenId: c.kitchenId }])).values()];
  return {
    period: i.period,
    count: i.count,
    inspectorsPerCheck: i.inspectorsPerCheck,
    weights: { A: i.weights.A, B: i.weights.B, C: i.weights.C, D: i.weights.D },
    kitchens: i.kitchens.map((k) => ({ id: k.id, districtId: k.districtId, riskClass: k.riskClass })).sort(byId),
    inspectors: i.inspectors.map((u) => ({ id: u.id, districtId: u.districtId })).sort(byId),
    conflicts: conflicts.sort((a, b) => cmp(a.userId, b.userId) || cmp(a.kitchenId, b.kitchenId)),
  };
}

export const inputsHashOf = (canonical: DrawInputs): string => sha256Hex(canonicalJson(canonical));
export const resultHashOf = (result: DrawResult): string => sha256Hex(canonicalJson(result));

/** The seeded PRNG of step 2. */
export function drawPrng(seedHex: string, inputsHash: string): () => number {
  const key = Buffer.from(seedHex, 'hex');
  let i = 0;
  return () => {
    const h = createHmac('sha256', key).update(`${inputsHash}:${i++}`).digest();
    const n = Number(h.readBigUInt64BE(0) >> 11n);
    return (n + 1) / 2 ** 53;
  };
}

/** Runs the draw on canonical inputs (call canonicalInputs first). */
export function runDraw(inputs: DrawInputs, seedHex: string): DrawResult {
  const rand = drawPrng(seedHex, inputsHashOf(inputs));
  if (!inputs.kitchens.length) throw new DrawError('no_kitchens', 'no kitchen to draw from');
  const keyed = inputs.kitchens.map((k) => {
    const w = inputs.weights[k.riskClass];
    return { id: k.id, districtId: k.districtId, key: w > 0 ? Math.log(rand()) / w : -Infinity };
  });
  const drawn = keyed.filter((k) => k.key > -Infinity).sort((a, b) => b.key - a.key || cmp(a.id, b.id)).slice(0, inputs.count);

  const related = new Set(inputs.conflicts.map((c) => `${c.userId}\u0000${c.kitchenId}`));
  const load = new Map<string, number>();
  const checks = drawn.map((k) => {
    const eligible = inputs.inspectors.filter((u) => u.districtId !== k.districtId && !related.has(`${u.id}\u0000${k.id}`));
    if (eligible.length < inputs.inspectorsPerCheck)
      throw new DrawError('not_enough_inspectors', `kitchen ${k.id}: ${eligible.length} inspector(s) without a conflict, ${inputs.inspectorsPerCheck} needed`);
    const ranked = eligible
      .map((u) => ({ id: u.id, key: Math.log(rand()), load: load.get(u.id) ?? 0 }))
      .sort((a, b) => a.load - b.load || b.key - a.key || cmp(a.id, b.id))
      .slice(0, inputs.inspectorsPerCheck);
    for (const u of ranked) load.set(u.id, (load.get(u.id) ?? 0) + 1);
    return { kitchenId: k.id, inspectorIds: ranked.map((u) => u.id).sort() };
  });
  return { checks };
}
