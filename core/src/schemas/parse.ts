import type { z } from 'zod';
import type { UplinkChannel } from '../topics/index.js';
import type { DeviceKind } from './device-kind.js';
import {
  MAX_PAYLOAD_BYTES,
  deviceStatusSchema,
  eventSchemas,
  telemetrySchemas,
  type DeviceEvent,
  type DeviceStatus,
  type BoilerTelemetry,
  type ElevatorTelemetry,
} from './payloads.js';

/** Why a payload was refused. Stable strings: they label metrics and dead-letter entries. */
export type InvalidReason = 'oversized' | 'bad_json' | 'schema' | 'unknown_device' | 'kind_mismatch' | 'bad_topic' | 'disabled_device';

export type ParsedPayload =
  | {
      ok: true;
      channel: 'telemetry';
      value: ElevatorTelemetry | BoilerTelemetry;
      /**
       * The payload's JSON text, when it holds exactly `value` (no unknown key was dropped): whoever stores the
       * value as JSON can keep this text instead of stringifying the object again.
       */
      text?: string;
    }
  | { ok: true; channel: 'event'; value: DeviceEvent }
  | { ok: true; channel: 'status'; value: DeviceStatus }
  | { ok: false; reason: InvalidReason; message: string };

/** One line per issue: "speed: Too big: expected number to be <=25". */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Decodes and validates one uplink payload. Never throws. */
export function parsePayload(kind: DeviceKind, channel: UplinkChannel, payload: Buffer | string): ParsedPayload {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'oversized', message: `payload is ${size} bytes, limit ${MAX_PAYLOAD_BYTES}` };
  let json: unknown;
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'bad_json', message: `not JSON: ${(err as Error).message}` };
  }
  const schema = channel === 'telemetry' ? telemetrySchemas[kind] : channel === 'event' ? eventSchemas[kind] : deviceStatusSchema;
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, reason: 'schema', message: formatIssues(result.error) };
  if (channel === 'telemetry') {
    // the schemas transform nothing, so the same keys mean the same value (zod only drops unknown keys)
    const same = keyCount(json as object) === keyCount(result.data as object);
    return same ? { ok: true, channel, value: result.data as ElevatorTelemetry, text } : { ok: true, channel, value: result.data as ElevatorTelemetry };
  }
  return { ok: true, channel, value: result.data } as ParsedPayload;
}

function keyCount(o: object): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k)) n++;
  return n;
}
