import { faultCodeInfo, type DeviceEvent, type DeviceKind } from '@tianwang/core/schemas';
import type { RuleMeta, RuleSettings, Signal, Severity } from './types.js';

/**
 * Device-reported faults and events (GB/T 24476-style codes). The terminal has already confirmed the fault
 * for a few seconds before reporting it, so the rule only maps raised/cleared to an alarm of type
 * `fault:<code>`; severity per code is data (FAULT_SEVERITY), tunable like any other rule.
 */
export const FAULT_SEVERITY: Record<string, Severity> = {
  '01': 'major', // safety circuit broken: the car stops, may trap passengers
  '02': 'minor',
  '03': 'minor',
  '04': 'major', // stopped outside the door zone: passengers cannot leave safely
  '05': 'critical', // moving with doors open: the classic fatal accident
  '06': 'major',
  '07': 'major',
  '08': 'major',
  '09': 'critical',
  '10': 'critical',
  '11': 'critical', // trapped passengers
  '12': 'critical',
  '13': 'major',
  '14': 'minor',
  '15': 'warning',
  '16': 'major', // e-bike in the car: fire hazard
  B01: 'critical', // extreme low water: risk of explosion
  B02: 'major',
  B03: 'critical',
  B04: 'major',
  B05: 'critical',
  B06: 'minor',
  B07: 'minor',
  B08: 'major',
};

export const faultType = (code: string) => `fault:${code}`;

export function faultRules(): RuleMeta[] {
  return Object.entries(FAULT_SEVERITY).map(([code, severity]) => {
    const info = faultCodeInfo(code);
    if (!info) throw new Error(`fault code ${code} is not in core/schemas`);
    return { key: faultType(code), kind: 'fault', subject: info.kind, zh: info.zh, en: info.en, severity, params: {} };
  });
}

/** Pure: one confirmed event → one signal (or none when the rule is disabled or the code belongs to another kind). */
export function evaluateFault(kind: DeviceKind, event: DeviceEvent, settings: RuleSettings | undefined, receivedAt: number): Signal | undefined {
  const info = faultCodeInfo(event.code);
  if (!info || info.kind !== kind || !settings?.enabled) return undefined;
  const detail: Record<string, string | number | boolean> = { code: event.code, ...(event.detail ?? {}) };
  return {
    action: event.state === 'raised' ? 'raise' : 'clear',
    type: faultType(event.code),
    severity: settings.severity,
    title: { zh: info.zh, en: info.en },
    at: receivedAt,
    detail,
  };
}
