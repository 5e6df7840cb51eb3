import { inRange } from '../time/local-time.js';
import type { RuleMeta, RuleSettings, Signal } from './types.js';

/**
 * Bright-kitchen cameras (events from streams/). A camera offline or covered (blank) during the kitchen's
 * business hours is itself a violation; outside them it is not reported. "ok" clears every camera alarm.
 */
export type CameraState = 'offline' | 'blank' | 'frozen' | 'ok';

export const CAMERA_RULES: RuleMeta[] = [
  { key: 'camera_offline', kind: 'camera', subject: 'camera', zh: '明厨亮灶摄像头离线', en: 'kitchen camera offline', severity: 'major', params: {} },
  { key: 'camera_blank', kind: 'camera', subject: 'camera', zh: '明厨亮灶摄像头画面遮挡/黑屏', en: 'kitchen camera covered or blank', severity: 'major', params: {} },
  { key: 'camera_frozen', kind: 'camera', subject: 'camera', zh: '明厨亮灶摄像头画面静止', en: 'kitchen camera frozen', severity: 'minor', params: {} },
];

export interface CameraEvent {
  camera: string;
  kitchen: string;
  state: CameraState;
  ts: number;
  reason?: string;
}

/** Pure: one camera health change → signals. `localMinutes` is the kitchen's local time of the event. */
export function evaluateCamera(e: CameraEvent, businessHours: string, localMinutes: number, settingsOf: (key: string) => RuleSettings | undefined, at: number): Signal[] {
  const signals: Signal[] = [];
  for (const rule of CAMERA_RULES) {
    const s = settingsOf(rule.key);
    if (!s) continue;
    const base = { type: rule.key, severity: s.severity, title: { zh: rule.zh, en: rule.en }, at, detail: { reason: e.reason ?? '', state: e.state } };
    if (e.state === 'ok') signals.push({ action: 'clear', ...base });
    else if (rule.key === `camera_${e.state}` && s.enabled && inRange(businessHours, localMinutes)) signals.push({ action: 'raise', ...base });
  }
  return signals;
}
