import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { PASSWORD, login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let admin: Login;
let insp1: Login;
let insp2: Login;
const SEED = 'a'.repeat(64);
const OTHER_SEED = 'b'.repeat(64);

/**
 * Besides the world's K1 (G1) and K3 (G3): 12 kitchens in D1 (G1 and G2, risk classes A–D) and four more
 * inspectors: i-g1 (grid G1), i-g2 (grid G2), i-d1 (district D1) and i-rel (D1, a declared relation with K-G2-1).
 */
async function seedKitchens(): Promise<void> {
  const classes = ['A', 'B', 'C', 'D'] as const;
  for (let n = 0; n < 12; n++) {
    const grid = n % 2 ? 'G2' : 'G1';
    await w.registry.kitchens.upsert({
      id: `K-${grid}-${n}`, name: `${n}号餐馆`, licenceNo: `JY23101150000${String(n).padStart(2, '0')}`, address: '', districtId: grid, riskClass: classes[n % 4]!,
      contactName: '', contactPhone: '', businessHours: '09:00-21:00', publicViewing: false, unitId: null,
    });
  }
  const inspector = (id: string, districtId: string) => ({ id, username: id, displayName: `${id} 检查员`, role: 'inspector' as const, phone: null, districtId, unitId: null, maintenanceCompanyId: null, password: PASSWORD });
  await w.registry.users.upsert(inspector('i-g1', 'G1'));
  await w.registry.users.upsert(inspector('i-g2', 'G2'));
  await w.registry.users.upsert(inspector('i-d1', 'D1'));
  await w.registry.users.upsert(inspector('i-rel', 'D1'));
  await w.registry.db.query("INSERT INTO inspector_relations (user_id, kitchen_id, reason) VALUES ('i-rel', 'K-G2-1', '亲属经营')");
}

beforeAll(async () => {
  w = await startWorld();
  await seedKitchens();
  admin = await login(w.dashboard, 'admin');
  insp1 = await login(w.dashboard, 'insp1');
  insp2 = await login(w.dashboard, 'insp2');
}, 120_000);
afterAll(async () => w?.close());

const call = (s: Login | null, method: InjectOptions['method'], url: string, payload?: unknown, csrf = true) =>
  w.dashboard.app.inject({ method, url, headers: s ? s.headers(csrf && method !== 'GET') : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const draw = async (s: Login, body: Record<string, unknown>) => {
  const res = await call(s, 'POST', '/api/v1/draws', { period: '2026-Q4', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; seed: string; inputsHash: string; resultHash: string; inputs: { kitchens: { id: string; districtId: string; riskClass: string }[]; inspectors: { id: string; districtId: string }[] }; checks: { kitchenId: string; kitchenName: string; inspectors: { id: string; displayName: string }[] }[] };
};
const pairs = (d: Awaited<ReturnType<typeof draw>>) => d.checks.map((c) => [c.kitchenId, c.inspectors.map((u) => u.id)]);

describe('双随机 draw', () => {
  it('the same seed and inputs give the same draw; another seed another; the seed and inputs are recorded', async () => {
    const a = await draw(insp1, { count: 5, seed: SEED });
    const b = await draw(insp1, { count: 5, seed: SEED });
    const c = await draw(insp1, { count: 5, seed: OTHER_SEED });
    expect(a.checks).toHaveLength(5);
    expect(pairs(b)).toEqual(pairs(a));
    expect([b.inputsHash, b.resultHash]).toEqual([a.inputsHash, a.resultHash]);
    expect(pairs(c)).not.toEqual(pairs(a));
    expect(a.seed).toBe(SEED);
    // the inspector's tree only: D1's 13 kitchens (K1 and the 12), D1's inspectors (insp1 and the four)
    expect(a.inputs.kitchens.map((k) => k.id)).toHaveLength(13);
    expect(a.inputs.kitchens.some((k) => k.id === 'K3')).toBe(false);
    expect(a.inputs.inspectors.map((u) => u.id)).toEqual(['i-d1', 'i-g1', 'i-g2', 'i-rel', 'insp1']);
    for (const ch of a.checks) expect(ch.inspectors).toHaveLength(2);
    // one spot-check task per drawn kitchen
    const tasks = await w.registry.db.query<{ kitchen_id: string }>('SELECT kitchen_id FROM spot_checks WHERE draw_id = $1 ORDER BY kitchen_id', [a.id]);
    expect(tasks.map((t) => t.kitchen_id)).toEqual(a.checks.map((ch) => ch.kitchenId).sort());
    // a fresh seed when none is given
    const fresh = await draw(insp1, { count: 5 });
    expect(fresh.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh.seed).not.toBe(SEED);
    expect((await w.registry.audit.forSubject('draw', String(a.id))).map((e) => e.action)).toEqual(['draw.created']);
  });

  it('the verify endpoint re-runs a draw and agrees; tampered inputs or result make it fail', async () => {
    const d = await draw(admin, { districtId: 'D1', share: 0.3, seed: SEED });
    expect(d.checks).toHaveLength(4); // ceil(0.3 × 13)
    const ok = await call(insp1, 'GET', `/api/v1/draws/${d.id}/verify`);
    expect(ok.json()).toMatchObject({ ok: true, resultMatches: true, inputsHash: { stored: d.inputsHash, computed: d.inputsHash } });

    // a kitchen quietly removed from the recorded list: the inputs no longer hash to what was recorded
    await w.registry.db.query(`UPDATE random_draws SET inputs = jsonb_set(inputs, '{kitchens}', (inputs->'kitchens') - 0) WHERE id = $1`, [d.id]);
    const tampered = (await call(insp1, 'GET', `/api/v1/draws/${d.id}/verify`)).json();
    expect(tampered.ok).toBe(false);
    expect(tampered.inputsHash.computed).not.toBe(tampered.inputsHash.stored);

    // the result swapped for another kitchen: the re-run disagrees
    const e = await draw(admin, { districtId: 'D1', count: 3, seed: SEED });
    const outside = e.inputs.kitchens.find((k) => !e.checks.some((c) => c.kitchenId === k.id))!.id;
    await w.registry.db.query(`UPDATE random_draws SET result = jsonb_set(result, '{checks,0,kitchenId}', to_jsonb($2::text)) WHERE id = $1`, [e.id, outside]);
    const swapped = (await call(admin, 'GET', `/api/v1/draws/${e.id}/verify`)).json();
    expect(swapped).toMatchObject({ ok: false, resultMatches: false });
  });

  it('never assigns an inspector to a kitchen of its own grid or one it declared a relation with', async () => {
    const kitchens = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const seed = i.toString(16).padStart(64, '0');
      const d = await draw(insp1, { count: 13, seed });
      for (const k of d.inputs.kitchens) kitchens.set(k.id, k.districtId);
      const homes = new Map(d.inputs.inspectors.map((u) => [u.id, u.districtId]));
      for (const ch of d.checks) {
        for (const u of ch.inspectors) expect(homes.get(u.id), `${u.id} on ${ch.kitchenId}`).not.toBe(kitchens.get(ch.kitchenId));
        if (ch.kitchenId === 'K-G2-1') expect(ch.inspectors.map((u) => u.id)).not.toContain('i-rel');
        expect(new Set(ch.inspectors.map((u) => u.id)).size).toBe(2);
      }
    }
    // too few inspectors without a conflict: a clear error and nothing stored
    const before = await w.registry.db.query<{ n: number }>('SELECT count(*)::int AS n FROM random_draws');
    const res = await call(insp1, 'POST', '/api/v1/draws', { period: '2026-Q4', districtId: 'G1', count: 1, seed: SEED });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TW_PAYLOAD_INVALID' });
    expect(res.json().message).toContain('inspector');
    expect(await w.registry.db.query<{ n: number }>('SELECT count(*)::int AS n FROM random_draws')).toEqual(before);
  });

  it('weights by risk class: a class weighing 0 is never drawn, and D (highest risk) is drawn most', async () => {
    const d = await draw(insp1, { count: 9, seed: SEED, weights: { A: 0, B: 1, C: 1, D: 1 } });
    const risk = new Map(d.inputs.kitchens.map((k) => [k.id, k.riskClass]));
    expect(d.checks.map((c) => risk.get(c.kitchenId))).not.toContain('A');
    const drawn = { A: 0, B: 0, C: 0, D: 0 } as Record<string, number>;
    for (let i = 0; i < 40; i++) {
      const x = await draw(insp1, { count: 2, seed: (i + 100).toString(16).padStart(64, '0'), weights: { A: 1, B: 1, C: 1, D: 20 } });
      for (const c of x.checks) drawn[risk.get(c.kitchenId)!]!++;
    }
    expect(drawn.D).toBeGreaterThan(drawn.A! + drawn.B! + drawn.C!);
  });

  it('publishing (一公开) marks the draw; scope: another district’s inspector gets 404, a unit 403, no session 401, no CSRF 403', async () => {
    const d = await draw(insp1, { count: 2, seed: SEED });
    expect((await call(insp1, 'POST', `/api/v1/draws/${d.id}/publish`, undefined, false)).statusCode).toBe(403);
    const pub = await call(insp1, 'POST', `/api/v1/draws/${d.id}/publish`);
    expect(pub.statusCode).toBe(200);
    expect(pub.json().publishedAt).toEqual(expect.any(String));
    for (const [m, url] of [['GET', `/api/v1/draws/${d.id}`], ['GET', `/api/v1/draws/${d.id}/verify`], ['POST', `/api/v1/draws/${d.id}/publish`]] as const) {
      expect((await call(insp2, m, url)).statusCode, `${m} ${url}`).toBe(404);
      expect((await call(null, m, url)).statusCode).toBe(401);
    }
    expect((await call(insp2, 'GET', '/api/v1/draws')).json().items.map((x: { id: number }) => x.id)).not.toContain(d.id);
    expect((await call(insp1, 'GET', '/api/v1/draws?published=true')).json().items.map((x: { id: number }) => x.id)).toContain(d.id);
    expect((await call(insp2, 'POST', '/api/v1/draws', { period: 'x', districtId: 'D1', count: 1 })).statusCode).toBe(404);
    expect((await call(insp1, 'POST', '/api/v1/draws', { period: 'x', count: 1 }, false)).statusCode).toBe(403);
    const unit1 = await login(w.dashboard, 'unit1');
    expect((await call(unit1, 'GET', `/api/v1/draws/${d.id}`)).statusCode).toBe(403);
    // 一公开: anyone reads a published draw (names, seed, hashes, verified), nothing internal; an unpublished one is 404
    const pubd = await call(null, 'GET', `/api/v1/public/draws/${d.id}`);
    expect(pubd.statusCode).toBe(200);
    expect(pubd.headers['cache-control']).toContain('public');
    expect(pubd.json()).toMatchObject({ id: d.id, seed: SEED, inputsHash: d.inputsHash, verified: true, kitchens: 13 });
    expect(pubd.json().checks[0]).toEqual({ kitchenName: expect.any(String), licenceNo: expect.any(String), inspectors: [expect.any(String), expect.any(String)] });
    expect(pubd.body).not.toMatch(/"(i-g1|i-g2|i-d1|i-rel|insp1|G1|G2|D1)"/);
    expect((await call(null, 'GET', '/api/v1/public/draws')).json().items.map((x: { id: number }) => x.id)).toContain(d.id);
    const unpublished = await draw(insp1, { count: 1, seed: SEED });
    expect((await call(null, 'GET', `/api/v1/public/draws/${unpublished.id}`)).statusCode).toBe(404);
    const xlsx = await call(admin, 'GET', '/api/v1/draws?format=xlsx');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });
});
