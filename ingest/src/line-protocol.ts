/**
 * A hand-written InfluxDB line-protocol serializer. The client's Point class costs about 1.5× as much per
 * message (measured); at 20,000 messages/s that matters, and our schema is fixed, so we serialize directly
 * and hand the client ready lines (writeRecords keeps its batching and retries).
 *
 * Times are written in nanoseconds (the writer sends precision=ns): a device time is its millisecond followed by
 * "000000", a server time carries the message's rank in the stream in the last six digits (server-time.ts).
 */
import type { DeviceKind } from '@tianwang/core/schemas';
import { CLOCK_SKEW_FIELD, DEVICE_TS_FIELD, EVENT_FIELDS, STATUS_FIELDS, TELEMETRY_FIELDS, measurementOf, type FieldSpec, type FieldType } from './measurements.js';

/*
 * Tag values. The servers we write to agree on one thing only: a comma, a space or an equals sign preceded by
 * a backslash belongs to the value (the backslash is dropped). On backslashes they disagree, as measured by
 * round trips (ingest/test/tag-escaping.test.ts):
 *   influxd 1.x (and 2.x, the same Go parser): a backslash is always literal, `\\` stays two; a separator is
 *     escaped when the byte before it is a backslash, so a value cannot end with one (the line is refused: 400);
 *   VictoriaMetrics and InfluxDB 3: `\\` is one backslash; InfluxDB 3 refuses a value ending with one.
 * A backslash followed by any other character is literal everywhere. So a value is written as is, with `,`, ` `
 * and `=` escaped, when every backslash in it is followed by a character other than `\`, `,`, ` ` or `=`; any
 * other value (one such backslash, a trailing one, a newline, which ends the line, or an empty value, which
 * influxd refuses) cannot be written so that every server reads it back the same: the tag is left out of the
 * point (never written wrong), and the registry refuses such ids (core/src/registry/ids.ts).
 */
const TAG_SPECIAL = /[,= \\\n]/;
const TAG_ESCAPE = /[,= ]/g;
const UNPORTABLE = /\n|\\(?:[\\,= ]|$)/;

/** A tag key or value escaped for line protocol; undefined when it cannot be written (see above). */
export function escapeTag(value: string): string | undefined {
  if (!value) return undefined;
  if (!TAG_SPECIAL.test(value)) return value;
  if (UNPORTABLE.test(value)) return undefined;
  return value.replace(TAG_ESCAPE, '\\$&');
}

type TaggedDevice = { id: string; kind: DeviceKind; unitId: string; districtId: string };

/**
 * The tag set of a device, sorted by key as InfluxDB prefers: ",device=…,district=…,kind=…,unit=…". A unit or
 * district id that cannot be written is left out (unwritableTags names them). Undefined when the device id
 * itself cannot be written: the device tag tells devices apart, so such a device has no points (its messages are
 * refused, `bad_device_id`); registry device ids match DEVICE_ID_PATTERN of core/topics and always can be.
 */
export function deviceTagSet(d: TaggedDevice): string | undefined {
  const device = escapeTag(d.id);
  if (device === undefined) return undefined;
  const district = escapeTag(d.districtId);
  const unit = escapeTag(d.unitId);
  return `,device=${device}${district === undefined ? '' : `,district=${district}`},kind=${d.kind}${unit === undefined ? '' : `,unit=${unit}`}`;
}

/** The tags deviceTagSet leaves out for this device. */
export function unwritableTags(d: TaggedDevice): ('device' | 'district' | 'unit')[] {
  const out: ('device' | 'district' | 'unit')[] = [];
  if (escapeTag(d.id) === undefined) out.push('device');
  if (escapeTag(d.districtId) === undefined) out.push('district');
  if (escapeTag(d.unitId) === undefined) out.push('unit');
  return out;
}

/** A string field value: quoted, with quotes and backslashes escaped. */
export function quoteString(value: string): string {
  // most values (enums like "up", "closed") need no escaping: skip the regex (3 string fields per elevator message)
  if (value.indexOf('"') < 0 && value.indexOf('\\') < 0) return '"' + value + '"';
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

function fieldValue(type: FieldType, v: unknown): string | undefined {
  switch (type) {
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v + 'i' : undefined;
    case 'bool':
      return typeof v === 'boolean' ? (v ? '1i' : '0i') : undefined;
    case 'string':
      return typeof v === 'string' ? quoteString(v) : undefined;
  }
}

/** Field specs with their "name=" / ",name=" prefixes built once (this runs for every field of every message). */
interface Prepared {
  name: string;
  type: FieldType;
  first: string;
  next: string;
}
const prepared = new WeakMap<readonly FieldSpec[], Prepared[]>();
function prepare(specs: readonly FieldSpec[]): Prepared[] {
  let p = prepared.get(specs);
  if (!p) prepared.set(specs, (p = specs.map((f) => ({ name: f.name, type: f.type, first: `${f.name}=`, next: `,${f.name}=` }))));
  return p;
}

function fieldSet(specs: readonly FieldSpec[], values: Record<string, unknown>): string {
  let out = '';
  for (const f of prepare(specs)) {
    const s = fieldValue(f.type, values[f.name]);
    if (s === undefined) continue;
    out += (out ? f.next : f.first) + s;
  }
  return out;
}

/** The fields a server time replacing the device's adds: clock_skew=1i and the device's claimed time (ms). */
function skewFields(clockSkew: boolean, deviceTs: number | undefined): string {
  if (!clockSkew) return '';
  return deviceTs === undefined ? `,${CLOCK_SKEW_FIELD}=1i` : `,${CLOCK_SKEW_FIELD}=1i,${DEVICE_TS_FIELD}=${deviceTs}i`;
}

/*
 * Each line ends with its time: `ts` followed by `ns`, the nanosecond digits (server-time.ts nsDigits) when the
 * write is in nanoseconds; `ts` alone for a write in milliseconds (the benchmarks' own writes).
 */

export function telemetryLine(kind: DeviceKind, tagSet: string, values: Record<string, unknown>, ts: number, clockSkew: boolean, ns = '', deviceTs?: number): string {
  const fields = fieldSet(TELEMETRY_FIELDS[kind], values) + skewFields(clockSkew, deviceTs);
  return `${measurementOf.telemetry(kind)}${tagSet} ${fields} ${ts}${ns}`;
}

export function eventLine(
  kind: DeviceKind,
  tagSet: string,
  e: { code: string; state: string; detail?: Record<string, unknown> | undefined; seq?: number | undefined },
  ts: number,
  clockSkew: boolean,
  ns = '',
  deviceTs?: number,
): string {
  const values = { state: e.state, raised: e.state === 'raised' ? 1 : 0, detail: e.detail ? JSON.stringify(e.detail) : undefined, seq: e.seq };
  const fields = fieldSet(EVENT_FIELDS, values) + skewFields(clockSkew, deviceTs);
  // "code" sorts before "device": the tag set stays sorted. Codes are core's fault-code enums (letters and digits);
  // one that could not be written would make an empty tag, which InfluxDB refuses and ingest parks (never stored wrong).
  return `${measurementOf.event(kind)},code=${escapeTag(e.code) ?? ''}${tagSet} ${fields} ${ts}${ns}`;
}

export function statusLine(
  kind: DeviceKind,
  tagSet: string,
  s: { online: boolean; source: 'status' | 'presence'; reason?: string | undefined; firmware?: string | undefined; interval?: number | undefined },
  ts: number,
  clockSkew: boolean,
  ns = '',
  deviceTs?: number,
): string {
  const fields = fieldSet(STATUS_FIELDS, { ...s, online: s.online ? 1 : 0 }) + skewFields(clockSkew, deviceTs);
  return `${measurementOf.status(kind)}${tagSet} ${fields} ${ts}${ns}`;
}
