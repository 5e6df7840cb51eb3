import type { BoilerTelemetry, ElevatorTelemetry } from '@tianwang/core/schemas';
import type { Device } from '@tianwang/core/registry';
import type { RuleMeta, RuleSettings, Signal } from './types.js';

/**
 * Thresholds with a duration and hysteresis on telemetry. A condition must hold ("over") for `forS` seconds
 * before the alarm is raised, and must be gone beyond a lower band ("under") for `clearForS` seconds before it
 * clears, so a value hovering at the limit neither floods nor flaps. Between the two bands nothing changes.
 */
type Reading = ElevatorTelemetry | BoilerTelemetry;
type Rated = Device['rated'];

interface Measure {
  value: number;
  limit: number;
  over: boolean;
  under: boolean;
}

export interface ThresholdRule extends RuleMeta {
  kind: 'threshold';
  /** undefined: not applicable to this reading/device (e.g. rated speed unknown) */
  measure(reading: Reading, rated: Rated, p: Record<string, number>): Measure | undefined;
}

const el = (r: Reading) => r as ElevatorTelemetry;
const bo = (r: Reading) => r as BoilerTelemetry;

export const THRESHOLD_RULES: ThresholdRule[] = [
  {
    key: 'overspeed', kind: 'threshold', subject: 'elevator', zh: '超速', en: 'overspeed', severity: 'critical',
    params: { ratio: 1.2, clearRatio: 1.05, forS: 1, clearForS: 5 },
    measure(r, rated, p) {
      const rs = rated.ratedSpeed;
      if (!rs) return undefined;
      const v = el(r).speed;
      return { value: v, limit: +(rs * p.ratio!).toFixed(3), over: v > rs * p.ratio!, under: v <= rs * p.clearRatio! };
    },
  },
  {
    key: 'door_held_open', kind: 'threshold', subject: 'elevator', zh: '长时间开门', en: 'door held open too long', severity: 'minor',
    params: { forS: 120, clearForS: 0 },
    measure(r) {
      const open = el(r).door === 'open';
      return { value: open ? 1 : 0, limit: 1, over: open, under: !open };
    },
  },
  {
    // alarm below the safety valve set point: 1.27 MPa on a 1.25 MPa boiler
    key: 'overpressure', kind: 'threshold', subject: 'boiler', zh: '超压', en: 'overpressure', severity: 'critical',
    params: { marginMpa: 0.02, clearMarginMpa: 0, forS: 10, clearForS: 10 },
    measure(r, rated, p) {
      const rp = rated.ratedPressure;
      if (!rp) return undefined;
      const v = bo(r).pressure;
      const limit = +(rp + p.marginMpa!).toFixed(3);
      return { value: v, limit, over: v >= limit, under: v <= rp + p.clearMarginMpa! };
    },
  },
  {
    key: 'low_water', kind: 'threshold', subject: 'boiler', zh: '低水位（缺水）', en: 'low water level', severity: 'critical',
    params: { limitMm: -50, clearMm: -30, forS: 5, clearForS: 10 },
    measure(r, _rated, p) {
      const v = bo(r).waterLevel;
      return { value: v, limit: p.limitMm!, over: v <= p.limitMm!, under: v >= p.clearMm! };
    },
  },
  {
    key: 'high_water', kind: 'threshold', subject: 'boiler', zh: '高水位（满水）', en: 'high water level', severity: 'major',
    params: { limitMm: 50, clearMm: 30, forS: 5, clearForS: 10 },
    measure(r, _rated, p) {
      const v = bo(r).waterLevel;
      return { value: v, limit: p.limitMm!, over: v >= p.limitMm!, under: v <= p.clearMm! };
    },
  },
  {
    key: 'overtemperature', kind: 'threshold', subject: 'boiler', zh: '超温', en: 'overtemperature', severity: 'major',
    params: { limitC: 200, clearC: 190, forS: 10, clearForS: 10 },
    measure(r, _rated, p) {
      const v = bo(r).steamTemp;
      return { value: v, limit: p.limitC!, over: v > p.limitC!, under: v <= p.clearC! };
    },
  },
  {
    // a running burner without flame must shut the fuel within 10 s; longer means the protection failed
    key: 'flame_failure', kind: 'threshold', subject: 'boiler', zh: '熄火', en: 'flame failure', severity: 'critical',
    params: { forS: 10, clearForS: 0 },
    measure(r) {
      const b = bo(r);
      const bad = b.burner === 'running' && !b.flame;
      return { value: bad ? 1 : 0, limit: 1, over: bad, under: !bad };
    },
  },
  {
    key: 'high_flue_temp', kind: 'threshold', subject: 'boiler', zh: '排烟温度过高', en: 'high flue temperature', severity: 'minor',
    params: { limitC: 250, clearC: 230, forS: 60, clearForS: 60 },
    measure(r, _rated, p) {
      const v = bo(r).flueTemp;
      return { value: v, limit: p.limitC!, over: v > p.limitC!, under: v <= p.clearC! };
    },
  },
  {
    key: 'no_operator', kind: 'threshold', subject: 'boiler', zh: '无持证司炉人员在岗', en: 'no certified operator on shift', severity: 'major',
    params: { forS: 300, clearForS: 0 },
    measure(r) {
      const b = bo(r);
      if (b.operatorOnDuty === undefined) return undefined;
      const bad = b.burner !== 'off' && !b.operatorOnDuty;
      return { value: bad ? 1 : 0, limit: 1, over: bad, under: !bad };
    },
  },
];

/** Per device and rule, kept in Redis between readings: phase, since when (device ms), last reading time. */
export interface ThresholdState {
  p: 'pending' | 'active' | 'clearing';
  since: number;
  last: number;
}

export interface ThresholdResult {
  /** undefined = idle (nothing to keep) */
  state: ThresholdState | undefined;
  signal?: Signal;
}

/** Pure: one reading against one rule. `at` is when the platform received the reading (alarm times). */
export function evaluateThreshold(
  rule: ThresholdRule,
  reading: Reading,
  rated: Rated,
  settings: RuleSettings,
  prev: ThresholdState | undefined,
  at: number,
): ThresholdResult {
  // an older reading processed late (another worker, a retry) must not move the state backwards
  if (prev && reading.ts < prev.last) return { state: prev };
  if (!settings.enabled) return { state: prev?.p === 'active' || prev?.p === 'clearing' ? prev : undefined };
  const m = rule.measure(reading, rated, settings.params);
  if (!m) return { state: prev };
  const ts = reading.ts;
  const forMs = (settings.params.forS ?? 0) * 1000;
  const clearMs = (settings.params.clearForS ?? 0) * 1000;
  const signal = (action: 'raise' | 'clear'): Signal => ({
    action, type: rule.key, severity: settings.severity, title: { zh: rule.zh, en: rule.en }, at, detail: { value: m.value, limit: m.limit },
  });
  const phase = prev?.p;
  if (phase === undefined || phase === 'pending') {
    if (!m.over) return { state: undefined };
    const since = phase === 'pending' ? prev!.since : ts;
    if (ts - since >= forMs) return { state: { p: 'active', since: ts, last: ts }, signal: signal('raise') };
    return { state: { p: 'pending', since, last: ts } };
  }
  // active or clearing
  if (!m.under) return { state: { p: 'active', since: phase === 'active' ? prev!.since : ts, last: ts } };
  const since = phase === 'clearing' ? prev!.since : ts;
  if (ts - since >= clearMs) return { state: undefined, signal: signal('clear') };
  return { state: { p: 'clearing', since, last: ts } };
}
