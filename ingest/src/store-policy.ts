/**
 * Store by exception, compiled for ingest: core's per-field storage policy (core/src/schemas/storage-policy.ts)
 * laid out in the order of TELEMETRY_FIELDS (bit j of a decision mask is field j of the kind), with every value
 * turned into a number so that the decision script compares doubles only: floats and integers as they are,
 * booleans 0/1, enum strings their index in the payload schema's enum. The decision itself runs in Redis
 * (shadow-script.ts); store-decide.ts is its reference in TypeScript.
 */
import type { IngestConfig } from '@tianwang/core/config';
import { DEVICE_KINDS, storagePolicy, telemetryEnumOptions, type DeviceKind, type StorageMode, type StoragePolicy } from '@tianwang/core/schemas';
import { TELEMETRY_FIELDS, type FieldSpec } from './measurements.js';

/** The storage policy ingest runs with (TW_INGEST_STORE, _HEARTBEAT_S, _FIELDS): pass it to createHistory too. */
export function storagePolicyOf(cfg: Pick<IngestConfig, 'ingestStore' | 'ingestStoreHeartbeatS' | 'ingestStoreFields'>): StoragePolicy {
  return storagePolicy({ mode: cfg.ingestStore, heartbeatS: cfg.ingestStoreHeartbeatS, overrides: cfg.ingestStoreFields });
}

/** Rule codes as the script reads them. */
export const RULE = { change: 1, deadband: 2, relative: 3, always: 4, with: 5 } as const;

export interface CompiledKind {
  kind: DeviceKind;
  /** 1-based index the script uses for this kind's rules */
  index: number;
  fields: readonly FieldSpec[];
  rules: readonly number[];
  deadbands: readonly number[];
  heartbeatMs: readonly number[];
  /** identifies the field layout: a device's stored state with another layout is discarded */
  layout: number;
  /** the field's value as the script compares it; NaN when the message does not carry it */
  encode(values: Record<string, unknown>, out: Float64Array, offset: number): number;
  /** a number back to the field's value (restores) */
  decode(field: number, n: number): unknown;
}

export interface CompiledPolicy {
  mode: StorageMode;
  kinds: Record<DeviceKind, CompiledKind>;
  /**
   * the script's policy argument: per kind `layout:compared:code,deadband,heartbeatMs;…`, kinds joined by `|`, where
   * `compared` is how many leading fields the script may compare byte for byte with the stored values to see at once
   * that nothing is to be stored (every field but a trailing run of `with` fields; 0 when a field is `always`)
   */
  spec: string;
}

/** Decision masks are 4 hex digits (shadow-script.ts): at most 16 fields per kind. */
const MAX_FIELDS = 16;

/** 32-bit FNV-1a: a layout id that fits a double exactly. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function compileKind(policy: StoragePolicy, kind: DeviceKind, index: number): CompiledKind {
  const fields = TELEMETRY_FIELDS[kind];
  if (fields.length > MAX_FIELDS) throw new Error(`${kind}: at most ${MAX_FIELDS} telemetry fields can be decided`);
  const enums = fields.map((f) => telemetryEnumOptions(kind, f.name));
  const rules: number[] = [];
  const deadbands: number[] = [];
  const heartbeatMs: number[] = [];
  fields.forEach((f, j) => {
    const p = policy.fields[kind][f.name];
    if (!p) throw new Error(`${kind}.${f.name}: no storage rule`);
    const r = p.rule;
    if (f.type === 'string' && !enums[j] && r.kind !== 'always' && r.kind !== 'with') throw new Error(`${kind}.${f.name}: only enum strings can be stored on change`);
    rules.push(r.kind === 'deadband' ? (r.relative ? RULE.relative : RULE.deadband) : RULE[r.kind]);
    deadbands.push(r.kind === 'deadband' ? r.deadband : 0);
    heartbeatMs.push(p.heartbeatMs);
  });
  const indexOf = enums.map((options) => (options ? new Map(options.map((o, i) => [o, i])) : undefined));
  const names = fields.map((f) => f.name);
  const types = fields.map((f) => f.type);
  return {
    kind,
    index,
    fields,
    rules,
    deadbands,
    heartbeatMs,
    layout: fnv(`${kind}:${names.join(',')}`),
    encode(values, out, offset) {
      let present = 0;
      for (let j = 0; j < names.length; j++) {
        const v = values[names[j]!];
        let n = Number.NaN;
        if (typeof v === 'number') n = v;
        else if (typeof v === 'boolean') n = v ? 1 : 0;
        else if (typeof v === 'string') n = indexOf[j]?.get(v) ?? Number.NaN;
        if (n === n) present++;
        out[offset + j] = n;
      }
      return present;
    },
    decode(field, n) {
      switch (types[field]) {
        case 'bool':
          return n !== 0;
        case 'string':
          return enums[field]?.[n];
        default:
          return n;
      }
    },
  };
}

export function compilePolicy(policy: StoragePolicy): CompiledPolicy {
  const kinds = {} as Record<DeviceKind, CompiledKind>;
  DEVICE_KINDS.forEach((kind, i) => (kinds[kind] = compileKind(policy, kind, i + 1)));
  // String(number) is the shortest text that reads back as the same double (the script's tonumber is exact)
  const spec = DEVICE_KINDS.map((k) => {
    const c = kinds[k];
    let compared = c.rules.length;
    while (compared > 0 && c.rules[compared - 1] === RULE.with) compared--;
    if (c.rules.includes(RULE.always)) compared = 0;
    return `${c.layout}:${compared}:${c.rules.map((r, j) => `${r},${c.deadbands[j]},${c.heartbeatMs[j]}`).join(';')}`;
  }).join('|');
  return { mode: policy.mode, kinds, spec };
}
