/**
 * Validates one uplink entry against the topic layout, the registry and the payload schemas, and decides its
 * timestamp. Pure: the device must already be resolved in the cache (see DeviceCache.resolve).
 */
import type { UplinkEntry } from '@tianwang/core/pipeline';
import { parsePayload, type DeviceEvent, type DeviceStatus, type InvalidReason } from '@tianwang/core/schemas';
import { tryParseTopic, type DeviceTopic } from '@tianwang/core/topics';
import type { CachedDevice, DeviceCache } from './device-cache.js';

/** Core's reasons plus one of ingest's own: a stream entry that is not an uplink entry at all. */
export type IngestInvalidReason = InvalidReason | 'bad_entry';

export interface ClockLimits {
  futureMs: number;
  pastMs: number;
}

export type Validated =
  | { ok: false; deviceId: string; reason: IngestInvalidReason; message: string }
  | {
      ok: true;
      device: CachedDevice;
      /** effective time: the device's, or the receive time when the device clock is off (or the message has none) */
      ts: number;
      clockSkew: boolean;
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

function invalid(deviceId: string, reason: IngestInvalidReason, message: string): Validated {
  return { ok: false, deviceId: deviceId || '?', reason, message };
}

function effectiveTime(ts: number | undefined, receivedAt: number, limits: ClockLimits): { ts: number; clockSkew: boolean } {
  if (ts === undefined) return { ts: receivedAt, clockSkew: false };
  if (ts - receivedAt > limits.futureMs || receivedAt - ts > limits.pastMs) return { ts: receivedAt, clockSkew: true };
  return { ts, clockSkew: false };
}

/** `topic`: the entry's topic already parsed (the processor parses it once to resolve devices). */
export function validateEntry(entry: UplinkEntry, cache: DeviceCache, limits: ClockLimits, topic: DeviceTopic | string = tryParseTopic(entry.topic)): Validated {
  const receivedAt = entry.receivedAt > 0 ? entry.receivedAt : Date.now();

  if (entry.kind !== 'm') {
    // Presence from the broker: the topic names the device (its status topic); fall back to the client id.
    const id = typeof topic === 'string' ? entry.clientId : topic.deviceId;
    const device = cache.get(id);
    if (!device) return invalid(id, 'unknown_device', `presence for unregistered device "${id.slice(0, 60)}"`);
    const reason = entry.kind === 'x' && entry.payload ? entry.payload.slice(0, 64) : undefined;
    return {
      ok: true,
      device,
      ts: receivedAt,
      clockSkew: false,
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

  const parsed = parsePayload(device.kind, topic.channel, entry.payload);
  if (!parsed.ok) return invalid(topic.deviceId, parsed.reason, parsed.message);
  const { ts, clockSkew } = effectiveTime(parsed.value.ts, receivedAt, limits);
  // built directly (no spreads): this runs for every message
  switch (parsed.channel) {
    case 'telemetry':
      return { ok: true, device, ts, clockSkew, receivedAt, body: { channel: 'telemetry', value: parsed.value as unknown as Record<string, unknown>, text: parsed.text } };
    case 'event':
      return { ok: true, device, ts, clockSkew, receivedAt, body: { channel: 'event', value: parsed.value } };
    case 'status':
      return { ok: true, device, ts, clockSkew, receivedAt, body: { channel: 'status', value: parsed.value } };
  }
}
