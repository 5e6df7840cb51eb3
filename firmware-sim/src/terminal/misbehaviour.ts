import { MAX_PAYLOAD_BYTES } from '@tianwang/core/schemas';
import type { DeviceKind } from '@tianwang/core/schemas';

/**
 * How a misbehaving terminal spoils its telemetry, for the platform's robustness tests. Each returns the
 * string that goes on the wire; the platform must count and park it, never crash on it.
 */
export function badJson(payload: string): string {
  // a truncated write, as when a terminal's buffer overruns mid-message
  return payload.slice(0, Math.max(1, Math.floor(payload.length * 0.6)));
}

export function outOfRange(kind: DeviceKind, reading: Record<string, unknown>): Record<string, unknown> {
  return kind === 'elevator' ? { ...reading, speed: 99.9, floor: 999, load: -5 } : { ...reading, pressure: 99, waterLevel: 9999, steamTemp: 2000 };
}

export function oversized(reading: Record<string, unknown>): Record<string, unknown> {
  // a firmware that dumps its debug log into every message
  return { ...reading, debug: 'x'.repeat(MAX_PAYLOAD_BYTES + 1024) };
}

/** flood: a telemetry loop with its delay lost, 50 messages a second */
export const FLOOD_INTERVAL_MS = 20;
