/**
 * Validates one uplink entry against the topic layout, the registry and the payload schemas, and decides its
 * timestamp. Pure: the device must already be resolved in the cache (see DeviceCache.resolve).
 */
import type { UplinkEntry } from '@tianwang/core/pipeline';
import { parsePayload, type DeviceEvent, type DeviceStatus, type InvalidReason } from '@tianwang/core/schemas';
import { tryParseTopic, type DeviceTopic } from '@tianwang/core/topics';
import type { CachedDevice, DeviceCache } from './device-cache.js';
import { serverMs, serverSub } from './server-time.js';

/**
 * Core's reasons plus ingest's own: a stream entry that is not an uplink entry at all (`bad_entry`), a device
 * whose registry id cannot be an InfluxDB tag (`bad_device_id`, see line-protocol.ts), and a point InfluxDB
 * refused (`influx_refused`, parked after the write: refused-points.ts).
 */
export type IngestInvalidReason = InvalidReason | 'bad_entry' | 'bad_device_id' | 'influx_refused';

export interface ClockLimits {
  futureMs: number;
  pastMs: number;
}

export type Validated =
  | { ok: false; deviceId: string; reason: IngestInvalidReason; message: string }
  | {
      ok: true;
      device: CachedDevice;
      /**
       * effective time (ms): the device's, or a server time (server-time.ts) when the device clock is off, the
       * message has none, or it is presence
       */
      ts: number;
      /** a server time's nanoseconds within `ts` (1–999,999); 0 for a device time */
      sub: number;
      clockSkew: boolean;
      /** with clockSkew: the time the device claimed (kept as a field); else 0 */
      deviceTs: number;
      receivedAt: number;
      body:
        | { channel: 'telemetry'; value: Record<string, unknown>; /** the payload's JSON text when it is exactly `value` */ text?: string }
        | { channel: 'event'; value: DeviceEvent }
        | { channel: 'status'; value: DeviceStatus }
        | { channel: 'presence'; online: boolean; reason?: string };
    };

/** The device id an entry claims: from its (parsed) topic, else the MQTT client id (devices connect with their id). */
export function claimedDeviceId(entry: UplinkEntry, topic: DeviceTopic | string = tryParseTopic(entry.topic)): string {
  return typeof topic === 'string' ? entry.clientId : topic.deviceId;
}

const UNWRITABLE_ID = 'the registry id of this device cannot be written as an InfluxDB tag';

function invalid(deviceId: string, reason: IngestInvalidReason, message: string): Validated {
  return { ok: false, deviceId: deviceId || '?', reason, message };
}

/**
 * `topic`: the entry's topic already parsed (the processor parses it once to resolve devices). `at` and `rank`:
 * the message's place in the uplink stream, its entry id's millisecond and its rank (server-time.ts), from which
 * a server time is made; without them (tools, benchmarks) a server time is the receive time.
 */
export function validateEntry(
  entry: UplinkEntry,
  cache: DeviceCache,
  limits: ClockLimits,
  topic: DeviceTopic | string = tryParseTopic(entry.topic),
  at = 0,
  rank = 0,
): Validated {
  const receivedAt = entry.receivedAt > 0 ? entry.receivedAt : Date.now();
  const base = at > 0 ? at : receivedAt;

  if (entry.kind !== 'm') {
    // Presence from the broker: the topic names the device (its status topic); fall back to the client id.
    const id = typeof topic === 'string' ? entry.clientId : topic.deviceId;
    const device = cache.get(id);
    if (!device) return invalid(id, 'unknown_device', `presence for unregistered device "${id.slice(0, 60)}"`);
    if (!device.tagSet) return invalid(id, 'bad_device_id', UNWRITABLE_ID);
    const reason = entry.kind === 'x' && entry.payload ? entry.payload.slice(0, 64) : undefined;
    return {
      ok: true,
      device,
      ts: serverMs(base, rank),
      sub: serverSub(rank),
      clockSkew: false,
      deviceTs: 0,
      receivedAt,
      body: { channel: 'presence', online: entry.kind === 'o', ...(reason ? { reason } : {}) },
    };
  }

  if (typeof topic === 'string') return invalid(entry.clientId, 'bad_topic', topic);
  if (topic.channel === 'cmd') return invalid(topic.deviceId, 'bad_topic', 'devices do not publish on command topics');
  const device = cache.get(topic.deviceId);
  if (!device) return invalid(topic.deviceId, 'unknown_device', `device "${topic.deviceId}" is not registered`);
  if (!device.enabled) return invalid(topic.deviceId, 'disabled_device', `device "${topic.deviceId}" is disabled`);
  if (device.kind !== topic.kind) return invalid(topic.deviceId, 'kind_mismatch', `device is a ${device.kind}, topic says ${topic.kind}`);
  if (!device.tagSet) return invalid(topic.deviceId, 'bad_device_id', UNWRITABLE_ID);

  const parsed = parsePayload(device.kind, topic.channel, entry.payload);
  if (!parsed.ok) return invalid(topic.deviceId, parsed.reason, parsed.message);
  // The device's time when it is within the window around the receive time; else a server time, unique and
  // ordered per device (server-time.ts), flagged as clock skew when the device gave a time.
  const claimed = parsed.value.ts;
  let ts = claimed ?? 0;
  let sub = 0;
  let clockSkew = false;
  let deviceTs = 0;
  if (claimed === undefined || claimed - receivedAt > limits.futureMs || receivedAt - claimed > limits.pastMs) {
    ts = serverMs(base, rank);
    sub = serverSub(rank);
    if (claimed !== undefined) {
      clockSkew = true;
      deviceTs = claimed;
    }
  }
  // built directly (no spreads): this runs for every message
  switch (parsed.channel) {
    case 'telemetry':
      return { ok: true, device, ts, sub, clockSkew, deviceTs, receivedAt, body: { channel: 'telemetry', value: parsed.value as unknown as Record<string, unknown>, text: parsed.text } };
    case 'event':
      return { ok: true, device, ts, sub, clockSkew, deviceTs, receivedAt, body: { channel: 'event', value: parsed.value } };
    case 'status':
      return { ok: true, device, ts, sub, clockSkew, deviceTs, receivedAt, body: { channel: 'status', value: parsed.value } };
  }
}
