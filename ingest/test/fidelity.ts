/**
 * The fidelity guarantee of store by exception, as a check (docs/ingest.md, "Fidelity"): from what was stored,
 * the step series gives at every original message's time a value within the field's rule of what the device sent
 * (exact for change and always rules, within the deadband for deadband rules), and every change of a field kept
 * at every change is stored at its exact time.
 */
import type { DeviceKind, StoragePolicy } from '@tianwang/core/schemas';
import { valueAt, type StepPoint, type StepValue } from '../src/step-series.js';

/** The problems found (empty: the guarantee holds); at most `max`. */
export function fidelityProblems(
  kind: DeviceKind,
  sent: readonly Record<string, unknown>[],
  stored: (field: string) => StepPoint[] | undefined,
  policy: StoragePolicy,
  opts: { fields?: string[]; staleAfterMs?: number; max?: number } = {},
): string[] {
  const problems: string[] = [];
  const max = opts.max ?? 20;
  for (const [field, p] of Object.entries(policy.fields[kind])) {
    if (opts.fields && !opts.fields.includes(field)) continue;
    const rule = p.rule;
    if (rule.kind === 'with') continue;
    const points = stored(field) ?? [];
    const stale = opts.staleAfterMs ?? 2 * p.heartbeatMs;
    let previous: unknown;
    for (const m of sent) {
      const v = m[field];
      if (v === undefined) continue;
      const t = m.ts as number;
      const got: StepValue = valueAt(points, t, stale);
      const want = typeof v === 'boolean' && typeof got === 'number' ? (v ? 1 : 0) : v;
      let ok: boolean;
      if (rule.kind === 'deadband' && typeof got === 'number' && typeof want === 'number') {
        ok = Math.abs(want - got) <= (rule.relative ? rule.deadband * Math.abs(got) : rule.deadband);
      } else ok = got === want;
      if (!ok) problems.push(`${field} at ${t}: sent ${String(v)}, reads ${String(got)}`);
      if (rule.kind === 'change' && previous !== undefined && v !== previous && !points.some((s) => s.time === t && (s.value === want || s.value === v)))
        problems.push(`${field} changed ${String(previous)} → ${String(v)} at ${t}: no stored value at that time`);
      previous = v;
      if (problems.length >= max) return problems;
    }
  }
  return problems;
}
