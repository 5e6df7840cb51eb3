import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/kitchens/canonical.js';
import { canonicalInputs, drawPrng, inputsHashOf, runDraw, type DrawInputs } from '../src/kitchens/draw-algorithm.js';

/**
 * The algorithm as documented in docs/dashboard.md, pinned: a re-implementation elsewhere (or a change here)
 * must give these exact numbers, or a published draw could no longer be verified.
 */
const INPUTS: DrawInputs = {
  period: '2026-Q4', count: 2, inspectorsPerCheck: 2, weights: { A: 1, B: 2, C: 3, D: 4 },
  kitchens: [{ id: 'K2', districtId: 'G2', riskClass: 'D' }, { id: 'K1', districtId: 'G1', riskClass: 'A' }, { id: 'K3', districtId: 'G1', riskClass: 'C' }],
  inspectors: [{ id: 'u3', districtId: 'G2' }, { id: 'u1', districtId: 'G1' }, { id: 'u2', districtId: 'D1' }, { id: 'u4', districtId: 'D1' }],
  conflicts: [{ userId: 'u4', kitchenId: 'K2' }, { userId: 'u4', kitchenId: 'K2' }],
};
const SEED = '00'.repeat(31) + '01';

describe('draw algorithm (tw-draw-v1)', () => {
  it('canonicalises: sorted lists and keys, duplicates dropped, whatever order the registry answered in', () => {
    const c = canonicalInputs(INPUTS);
    expect(c.kitchens.map((k) => k.id)).toEqual(['K1', 'K2', 'K3']);
    expect(c.conflicts).toEqual([{ userId: 'u4', kitchenId: 'K2' }]);
    const shuffled = canonicalInputs({ ...INPUTS, kitchens: [...INPUTS.kitchens].reverse(), inspectors: [...INPUTS.inspectors].reverse() });
    expect(inputsHashOf(shuffled)).toBe(inputsHashOf(c));
    expect(canonicalJson({ b: 1, a: [2, { d: null, c: 'x' }] })).toBe('{"a":[2,{"c":"x","d":null}],"b":1}');
  });

  it('the PRNG is HMAC-SHA256(seed, inputsHash:i), first 53 bits, (n + 1) / 2^53', async () => {
    const { createHmac } = await import('node:crypto');
    const h = inputsHashOf(canonicalInputs(INPUTS));
    const rand = drawPrng(SEED, h);
    for (let i = 0; i < 3; i++) {
      const d = createHmac('sha256', Buffer.from(SEED, 'hex')).update(`${h}:${i}`).digest();
      expect(rand()).toBe((Number(d.readBigUInt64BE(0) >> 11n) + 1) / 2 ** 53);
    }
  });

  it('gives the pinned result for the pinned inputs and seed, and excludes own-grid and related inspectors', () => {
    const c = canonicalInputs(INPUTS);
    const r = runDraw(c, SEED);
    expect(inputsHashOf(c)).toMatchInlineSnapshot(`"db94d817121c238ad1e5f44970d5f60fbbc87825cb8726cd167c005303931a9f"`);
    expect(r).toMatchInlineSnapshot(`
      {
        "checks": [
          {
            "inspectorIds": [
              "u1",
              "u2",
            ],
            "kitchenId": "K2",
          },
          {
            "inspectorIds": [
              "u3",
              "u4",
            ],
            "kitchenId": "K3",
          },
        ],
      }
    `);
    for (const ch of r.checks) {
      const home = c.kitchens.find((k) => k.id === ch.kitchenId)!.districtId;
      for (const u of ch.inspectorIds) expect(c.inspectors.find((x) => x.id === u)!.districtId).not.toBe(home);
      if (ch.kitchenId === 'K2') expect(ch.inspectorIds).not.toContain('u4');
    }
  });
});
