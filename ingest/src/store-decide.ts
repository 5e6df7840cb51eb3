/**
 * The storage decision for one telemetry message, in TypeScript: the reference for the Lua in shadow-script.ts,
 * which makes the same decision in Redis (tests compare the two on random series; the benchmark's load
 * generator uses this one to know how many values must be readable). Keep them identical.
 *
 * State per device here (3 + 2 × fields doubles): the layout id, the watermark (time in ms and its sub-millisecond
 * rank, see server-time.ts) of the newest message decided, then per field the last stored value and its time
 * (0: never stored). The script keeps the same facts laid out for speed (shadow-script.ts).
 *
 * A message newer than the watermark (in order, the normal case) stores a field when it was never stored, its
 * heartbeat is due, or it changed (rule change) / moved beyond the deadband (deadband rules) from the last stored
 * value; always: every message; with: only when another field of the message is stored. The stored values become
 * the state. A message not newer than the watermark (a replay after a crash, or a reading that arrives out of
 * order) leaves the state alone and stores, per field:
 *   - when a value of the field is stored at its very millisecond: the field (a replay: it must be there);
 *   - when the last stored value is older than the message (so it is the value in force at the message's time):
 *     nothing if the message is within the rule of it (a replay decides as before), else the message's value and,
 *     one microsecond later, a restore of the value in force, so that later messages, decided against that value,
 *     are still reconstructed from it (a device time only, a whole millisecond: a server time has no free slot);
 *   - when a newer value is stored (the value in force at the message's time is unknown): the message's value
 *     (err on the side of storing).
 */
import { RULE, type CompiledKind } from './store-policy.js';

export interface Decision {
  /** bit j: field j is stored */
  mask: number;
  /** bit j: field j is restored one microsecond after the message */
  restoreMask: number;
  /** the restored values, in field order */
  restoreValues: number[];
}

export function newState(c: CompiledKind): Float64Array {
  const st = new Float64Array(3 + 2 * c.fields.length);
  st[0] = c.layout;
  return st;
}

function beyond(rule: number, deadband: number, v: number, s: number): boolean {
  if (rule === RULE.change) return v !== s;
  if (rule === RULE.deadband) return Math.abs(v - s) > deadband;
  if (rule === RULE.relative) return Math.abs(v - s) > deadband * Math.abs(s);
  return rule === RULE.always;
}

/** Decides one message (`values`: the kind's fields encoded, NaN when absent) and updates `st`. */
export function decide(c: CompiledKind, st: Float64Array, ms: number, sub: number, values: ArrayLike<number>): Decision {
  const inOrder = ms > st[1]! || (ms === st[1] && sub > st[2]!);
  let mask = 0;
  let withMask = 0;
  let restoreMask = 0;
  const restoreValues: number[] = [];
  for (let j = 0; j < c.fields.length; j++) {
    const v = values[j]!;
    if (v !== v) continue;
    const rule = c.rules[j]!;
    const bit = 1 << j;
    if (rule === RULE.with) {
      withMask |= bit;
      continue;
    }
    const si = 3 + 2 * j;
    const s = st[si]!;
    const tau = st[si + 1]!;
    let store = false;
    if (rule === RULE.always) store = true;
    else if (inOrder) {
      store = tau === 0 || ms - tau >= c.heartbeatMs[j]! || beyond(rule, c.deadbands[j]!, v, s);
      if (store) {
        st[si] = v;
        st[si + 1] = ms;
      }
    } else if (tau === 0 || tau >= ms) store = true;
    else if (beyond(rule, c.deadbands[j]!, v, s)) {
      store = true;
      if (sub === 0) {
        restoreMask |= bit;
        restoreValues.push(s);
      }
    }
    if (store) mask |= bit;
  }
  if (mask) mask |= withMask;
  if (inOrder) {
    st[1] = ms;
    st[2] = sub;
  }
  return { mask, restoreMask, restoreValues };
}
