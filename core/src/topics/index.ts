/**
 * MQTT topic layout, version 1. Every topic is built and parsed here; nobody joins topic strings by hand.
 *
 *   tw/v1/{kind}/{deviceId}/telemetry   device → platform, periodic readings (QoS 0 or 1)
 *   tw/v1/{kind}/{deviceId}/event       device → platform, confirmed faults and events (QoS 1)
 *   tw/v1/{kind}/{deviceId}/status      device → platform, online/offline (retained; also the last will)
 *   tw/v1/{kind}/{deviceId}/cmd/{name}  platform → device, commands (e.g. cmd/reboot, cmd/config)
 */
import { UserError } from '../errors/index.js';
import { DEVICE_KINDS, type DeviceKind } from '../schemas/device-kind.js';

export const TOPIC_ROOT = 'tw';
export const TOPIC_VERSION = 'v1';
export const UPLINK_CHANNELS = ['telemetry', 'event', 'status'] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];
export type Channel = UplinkChannel | 'cmd';

/** Device IDs: letters, digits, '-' and '_', 3–40 characters (an elevator's 20-digit registration code fits). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{3,40}$/;
const COMMAND_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export interface DeviceTopic {
  kind: DeviceKind;
  deviceId: string;
  channel: Channel;
  /** only for channel 'cmd' */
  command?: string;
}

/** A malformed topic is the caller's mistake: a UserError with code TW_TOPIC_INVALID. */
export class TopicError extends UserError {
  constructor(readonly topic: string, reason: string) {
    super('TW_TOPIC_INVALID', `invalid topic "${topic.slice(0, 120)}": ${reason}`);
  }
}

function assertKind(kind: string): asserts kind is DeviceKind {
  if (!(DEVICE_KINDS as readonly string[]).includes(kind)) throw new TopicError(kind, `unknown device kind "${kind}"`);
}
function assertDeviceId(deviceId: string): void {
  if (!DEVICE_ID_PATTERN.test(deviceId)) throw new TopicError(deviceId, `device id "${deviceId}" must match ${DEVICE_ID_PATTERN}`);
}

const prefix = `${TOPIC_ROOT}/${TOPIC_VERSION}`;

export function deviceTopic(kind: DeviceKind, deviceId: string, channel: UplinkChannel): string {
  assertKind(kind);
  assertDeviceId(deviceId);
  return `${prefix}/${kind}/${deviceId}/${channel}`;
}
export const telemetryTopic = (kind: DeviceKind, deviceId: string) => deviceTopic(kind, deviceId, 'telemetry');
export const eventTopic = (kind: DeviceKind, deviceId: string) => deviceTopic(kind, deviceId, 'event');
export const statusTopic = (kind: DeviceKind, deviceId: string) => deviceTopic(kind, deviceId, 'status');

export function commandTopic(kind: DeviceKind, deviceId: string, command: string): string {
  assertKind(kind);
  assertDeviceId(deviceId);
  if (!COMMAND_NAME_PATTERN.test(command)) throw new TopicError(command, `command name must match ${COMMAND_NAME_PATTERN}`);
  return `${prefix}/${kind}/${deviceId}/cmd/${command}`;
}

/** The filter a device subscribes to for its commands. */
export function commandFilter(kind: DeviceKind, deviceId: string): string {
  assertKind(kind);
  assertDeviceId(deviceId);
  return `${prefix}/${kind}/${deviceId}/cmd/+`;
}

/** Wildcard filters for services: every device of a kind (or all kinds) on one channel. */
export function channelFilter(channel: UplinkChannel, kind?: DeviceKind): string {
  if (kind) assertKind(kind);
  return `${prefix}/${kind ?? '+'}/+/${channel}`;
}

/** Every device's commands: for services that command any device (the broker's service ACL). */
export function anyCommandFilter(): string {
  return `${prefix}/+/+/cmd/+`;
}

/** Every topic of this protocol version. */
export function allTopicsFilter(): string {
  return `${prefix}/#`;
}

/** Parses a concrete (non-wildcard) device topic; throws TopicError with the reason otherwise. */
export function parseTopic(topic: string): DeviceTopic {
  const result = tryParseTopic(topic);
  if (typeof result === 'string') throw new TopicError(topic, result);
  return result;
}

/** Like parseTopic, but returns the reason as a string instead of throwing (hot path: no exception cost). */
export function tryParseTopic(topic: string): DeviceTopic | string {
  if (topic.length > 200) return 'longer than 200 characters';
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_ROOT) return `must start with "${TOPIC_ROOT}/"`;
  if (parts[1] !== TOPIC_VERSION) return `unsupported version "${parts[1] ?? ''}" (expected ${TOPIC_VERSION})`;
  const [, , kind = '', deviceId = '', channel = '', command] = parts;
  if (!(DEVICE_KINDS as readonly string[]).includes(kind)) return `unknown device kind "${kind}"`;
  if (!DEVICE_ID_PATTERN.test(deviceId)) return `device id "${deviceId}" must match ${DEVICE_ID_PATTERN}`;
  if (channel === 'cmd') {
    if (parts.length !== 6 || command === undefined || !COMMAND_NAME_PATTERN.test(command)) return 'a command topic is tw/v1/{kind}/{id}/cmd/{name}';
    return { kind: kind as DeviceKind, deviceId, channel, command };
  }
  if (!(UPLINK_CHANNELS as readonly string[]).includes(channel)) return `unknown channel "${channel}"`;
  if (parts.length !== 5) return 'too many levels';
  return { kind: kind as DeviceKind, deviceId, channel: channel as UplinkChannel };
}
