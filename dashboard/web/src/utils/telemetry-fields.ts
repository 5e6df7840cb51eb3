import type { DeviceKind } from '@/api/types';

/**
 * How the device file charts each telemetry field (names as in core's payload schemas and ingest's InfluxDB schema):
 * - line: a measured value (averaged per bucket by the server)
 * - step: a count or position (the last value per bucket), drawn as steps
 * - enum: a state string, drawn as steps over its states (bottom to top in `states` order)
 * - ratio: a boolean stored as 0/1 and averaged: the share of the bucket it was true
 */
export type ChartKind = 'line' | 'step' | 'enum' | 'ratio';
export interface FieldChart {
  name: string;
  chart: ChartKind;
  unit?: string;
  /** i18n prefix of an enum's state names, and the states bottom to top */
  states?: { prefix: string; values: readonly (string | number)[] };
}

export const FIELD_CHARTS: Record<DeviceKind, FieldChart[]> = {
  elevator: [
    { name: 'floor', chart: 'step' },
    { name: 'speed', chart: 'line', unit: 'm/s' },
    { name: 'load', chart: 'line', unit: '%' },
    { name: 'direction', chart: 'enum', states: { prefix: 'direction', values: ['down', 'stop', 'up'] } },
    { name: 'door', chart: 'enum', states: { prefix: 'door', values: ['closed', 'closing', 'opening', 'open'] } },
    { name: 'mode', chart: 'enum', states: { prefix: 'mode', values: [0, 1, 2, 3, 4, 5, 6] } },
    { name: 'power', chart: 'enum', states: { prefix: 'power', values: ['off', 'battery', 'mains'] } },
    { name: 'doorZone', chart: 'ratio' },
    { name: 'passenger', chart: 'ratio' },
    { name: 'runCount', chart: 'step' },
    { name: 'runHours', chart: 'line', unit: 'h' },
  ],
  boiler: [
    { name: 'pressure', chart: 'line', unit: 'MPa' },
    { name: 'waterLevel', chart: 'line', unit: 'mm' },
    { name: 'steamTemp', chart: 'line', unit: '°C' },
    { name: 'flueTemp', chart: 'line', unit: '°C' },
    { name: 'feedWaterTemp', chart: 'line', unit: '°C' },
    { name: 'fuelPressure', chart: 'line', unit: 'kPa' },
    { name: 'burner', chart: 'enum', states: { prefix: 'burner', values: ['off', 'ignition', 'running'] } },
    { name: 'flame', chart: 'ratio' },
    { name: 'fan', chart: 'ratio' },
    { name: 'feedPump', chart: 'ratio' },
    { name: 'operatorOnDuty', chart: 'ratio' },
  ],
};
