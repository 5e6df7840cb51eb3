/**
 * The InfluxDB schema of telemetry, defined once: the line-protocol serializer writes it and the history
 * module reads it (numeric fields are averaged when downsampling, string fields take the last value).
 *
 *   measurement   elevator | boiler              telemetry, one point per message
 *                 elevator_event | boiler_event  faults and events (tag code)
 *                 elevator_status | boiler_status online/offline (device status messages and broker presence)
 *   tags          device, district, kind, unit (+ code on events)
 *   time          the device timestamp in ms; a server time to the ns when the device clock is off (fields
 *                 clock_skew=1, device_ts), the message has no time, or it is presence (server-time.ts)
 *
 * Field names are the payload's own (camelCase), so the dashboard maps nothing. Booleans are stored as
 * integers 0/1 because InfluxQL cannot average booleans; enums stay strings (they are few and readable).
 */
import type { DeviceKind } from '@tianwang/core/schemas';

export type FieldType = 'float' | 'int' | 'bool' | 'string';
export interface FieldSpec {
  name: string;
  type: FieldType;
  optional?: boolean;
}

export const TELEMETRY_FIELDS: Record<DeviceKind, readonly FieldSpec[]> = {
  elevator: [
    { name: 'floor', type: 'int' },
    { name: 'direction', type: 'string' },
    { name: 'speed', type: 'float' },
    { name: 'door', type: 'string' },
    { name: 'doorZone', type: 'bool' },
    { name: 'passenger', type: 'bool' },
    { name: 'mode', type: 'int' },
    { name: 'power', type: 'string' },
    { name: 'runCount', type: 'int' },
    { name: 'runHours', type: 'float' },
    { name: 'load', type: 'float' },
    { name: 'seq', type: 'int', optional: true },
  ],
  boiler: [
    { name: 'pressure', type: 'float' },
    { name: 'waterLevel', type: 'float' },
    { name: 'steamTemp', type: 'float' },
    { name: 'flueTemp', type: 'float' },
    { name: 'feedWaterTemp', type: 'float' },
    { name: 'burner', type: 'string' },
    { name: 'flame', type: 'bool' },
    { name: 'fan', type: 'bool' },
    { name: 'feedPump', type: 'bool' },
    { name: 'fuelPressure', type: 'float' },
    { name: 'operatorOnDuty', type: 'bool', optional: true },
    { name: 'seq', type: 'int', optional: true },
  ],
};

/**
 * Extra fields ingest adds when the device time was replaced by a server time (server-time.ts): clock_skew=1,
 * and device_ts, the time the device claimed (ms), so that nothing it sent is lost (a clock that is off by a
 * constant can be corrected afterwards).
 */
export const CLOCK_SKEW_FIELD = 'clock_skew';
export const DEVICE_TS_FIELD = 'device_ts';

export const EVENT_FIELDS: readonly FieldSpec[] = [
  { name: 'state', type: 'string' },
  /** 1 raised, 0 cleared: chartable */
  { name: 'raised', type: 'int' },
  /** the terminal's detail object as JSON text */
  { name: 'detail', type: 'string', optional: true },
  { name: 'seq', type: 'int', optional: true },
];

export const STATUS_FIELDS: readonly FieldSpec[] = [
  /** 1 online, 0 offline */
  { name: 'online', type: 'int' },
  /** "status" (the device said so) or "presence" (the broker saw it connect or disconnect) */
  { name: 'source', type: 'string' },
  { name: 'reason', type: 'string', optional: true },
  { name: 'firmware', type: 'string', optional: true },
  { name: 'interval', type: 'int', optional: true },
];

export const measurementOf = {
  telemetry: (kind: DeviceKind) => kind,
  event: (kind: DeviceKind) => `${kind}_event`,
  status: (kind: DeviceKind) => `${kind}_status`,
};
