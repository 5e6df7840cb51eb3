/**
 * Which telemetry values are worth storing: store by exception, as industrial historians do. A field's value is
 * written when it changed (discrete fields: door, floor, fault-relevant flags) or moved beyond its deadband
 * (analog fields: load, pressure, temperatures), and at least once per heartbeat while the device reports, so that
 * a silent series can be told from a steady one. The rules live here, next to the payload schemas, because they
 * are domain knowledge (how precise a boiler's pressure must be kept is a question about boilers, not about
 * InfluxDB); ingest applies them (docs/ingest.md, "Storage by exception") and history reads the result back as
 * step series.
 */
import { z } from 'zod';
import { DEVICE_KINDS, type DeviceKind } from './device-kind.js';
import { telemetrySchemas } from './payloads.js';

export type StorageRule =
  /** every change of the value (discrete fields: enums, booleans, counts) */
  | { kind: 'change' }
  /** a change of more than `deadband` from the last stored value; relative: a fraction of that value's magnitude */
  | { kind: 'deadband'; deadband: number; relative: boolean }
  /** every message (the field is stored as before store-by-exception existed) */
  | { kind: 'always' }
  /** only alongside another stored field of the same message (bookkeeping such as `seq`) */
  | { kind: 'with' };

export interface FieldStorage {
  rule: StorageRule;
  /** longest time without a stored value while the device reports (change and deadband rules), ms */
  heartbeatMs: number;
}

export type StorageMode = 'exception' | 'all';

export interface StoragePolicy {
  /** 'all': every field of every message (the policy is not applied) */
  mode: StorageMode;
  fields: Record<DeviceKind, Record<string, FieldStorage>>;
}

const change: StorageRule = { kind: 'change' };
const abs = (deadband: number): StorageRule => ({ kind: 'deadband', deadband, relative: false });
const rel = (fraction: number): StorageRule => ({ kind: 'deadband', deadband: fraction, relative: true });
const withOthers: StorageRule = { kind: 'with' };

/**
 * Domain defaults. Discrete state (position, direction, doors, modes, flags, the run counter) is kept at every
 * change, so every transition is in the history at its exact time. Analog values get a deadband well inside the
 * margins the rules and inspectors care about: load in steps of 5 % of rated load (overload is 110 %), speed 0.1 m/s
 * (overspeed is ≥ 1.2 × rated, e.g. 2.1 m/s), steam pressure 0.01 MPa (a 1.25 MPa boiler alarms at 1.27), water
 * level 5 mm (alarms at ± 50 mm), temperatures 1–2 °C, fuel gas pressure 2 % of its value. Alarms are not affected
 * by any of this: alerts reads every message from the uplink stream.
 */
export const STORAGE_DEFAULTS: Record<DeviceKind, Record<string, StorageRule>> = {
  elevator: {
    floor: change,
    direction: change,
    speed: abs(0.1),
    door: change,
    doorZone: change,
    passenger: change,
    mode: change,
    power: change,
    runCount: change,
    runHours: abs(0.1),
    load: abs(5),
    seq: withOthers,
  },
  boiler: {
    pressure: abs(0.01),
    waterLevel: abs(5),
    steamTemp: abs(1),
    flueTemp: abs(2),
    feedWaterTemp: abs(1),
    burner: change,
    flame: change,
    fan: change,
    feedPump: change,
    fuelPressure: rel(0.02),
    operatorOnDuty: change,
    seq: withOthers,
  },
};

export const DEFAULT_HEARTBEAT_S = 300;

function unwrapped(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

/** The telemetry fields of a kind that a policy covers: every payload field but the time. */
export function storedFieldNames(kind: DeviceKind): string[] {
  return Object.keys(telemetrySchemas[kind].shape).filter((f) => f !== 'ts');
}

/** The values an enum telemetry field may take, in schema order (their index is how ingest compares them); undefined for other fields. */
export function telemetryEnumOptions(kind: DeviceKind, field: string): readonly string[] | undefined {
  const schema = (telemetrySchemas[kind].shape as Record<string, z.ZodType>)[field];
  const s = schema && unwrapped(schema);
  return s instanceof z.ZodEnum ? (s.options as string[]) : undefined;
}

function isNumeric(kind: DeviceKind, field: string): boolean {
  const schema = (telemetrySchemas[kind].shape as Record<string, z.ZodType>)[field];
  return schema !== undefined && unwrapped(schema) instanceof z.ZodNumber;
}

export interface StorageOverride {
  kind: DeviceKind;
  field: string;
  rule: StorageRule;
  heartbeatMs?: number;
}

/**
 * Parses per-field overrides, comma separated: `kind.field=rule[/heartbeat seconds]`, rule one of `change`,
 * `always`, `with`, a number (absolute deadband in the field's unit) or a number with `%` (relative deadband).
 * Example: `boiler.pressure=0.005, elevator.load=10%/60, elevator.speed=always`. Throws an Error whose message
 * names the offending entry.
 */
export function parseStorageOverrides(spec: string): StorageOverride[] {
  const out: StorageOverride[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^([a-z]+)\.([A-Za-z]+)=([^/\s]+)(?:\/(\d+))?$/.exec(entry);
    if (!m) throw new Error(`"${entry}" is not kind.field=rule[/heartbeat seconds]`);
    const [, kind, field, ruleText, hb] = m as unknown as [string, string, string, string, string | undefined];
    if (!(DEVICE_KINDS as readonly string[]).includes(kind)) throw new Error(`"${entry}": unknown device kind "${kind}" (${DEVICE_KINDS.join(', ')})`);
    const k = kind as DeviceKind;
    if (!storedFieldNames(k).includes(field)) throw new Error(`"${entry}": ${k} telemetry has no field "${field}"`);
    let rule: StorageRule;
    if (ruleText === 'change' || ruleText === 'always' || ruleText === 'with') rule = { kind: ruleText };
    else {
      const pm = /^(\d+(?:\.\d+)?)(%?)$/.exec(ruleText);
      if (!pm) throw new Error(`"${entry}": the rule must be change, always, with, a deadband (0.5) or a relative deadband (2%)`);
      if (!isNumeric(k, field)) throw new Error(`"${entry}": ${field} is not a number; use change, always or with`);
      rule = pm[2] ? rel(Number(pm[1]) / 100) : abs(Number(pm[1]));
    }
    if (hb !== undefined && (rule.kind === 'always' || rule.kind === 'with')) throw new Error(`"${entry}": a heartbeat applies to change and deadband rules only`);
    if (hb !== undefined && Number(hb) < 1) throw new Error(`"${entry}": the heartbeat must be at least 1 s`);
    out.push({ kind: k, field, rule, ...(hb !== undefined ? { heartbeatMs: Number(hb) * 1000 } : {}) });
  }
  return out;
}

/** The policy for a mode, a default heartbeat and overrides (parseStorageOverrides' syntax), over the domain defaults. */
export function storagePolicy(opts: { mode?: StorageMode; heartbeatS?: number; overrides?: string } = {}): StoragePolicy {
  const heartbeatMs = (opts.heartbeatS ?? DEFAULT_HEARTBEAT_S) * 1000;
  const fields = {} as StoragePolicy['fields'];
  for (const kind of DEVICE_KINDS) {
    fields[kind] = {};
    for (const f of storedFieldNames(kind)) fields[kind][f] = { rule: STORAGE_DEFAULTS[kind][f] ?? change, heartbeatMs };
  }
  for (const o of parseStorageOverrides(opts.overrides ?? '')) fields[o.kind][o.field] = { rule: o.rule, heartbeatMs: o.heartbeatMs ?? heartbeatMs };
  return { mode: opts.mode ?? 'exception', fields };
}
