import type { Device } from '@tianwang/core/registry';
import { daysBetween } from '../time/local-time.js';
import type { RuleMeta, RuleSettings, Signal } from './types.js';

/**
 * Calendar rules, checked on a schedule (a BullMQ repeatable job) rather than per message: maintenance at
 * least every 15 days (TSG T5002), and the periodic inspection certificate. A missing date is a data-quality
 * matter for the registry, not a hazard reminder, so it raises nothing.
 */
export const CALENDAR_RULES: RuleMeta[] = [
  { key: 'maintenance_overdue', kind: 'calendar', subject: 'elevator', zh: '维保超期（超过15日未维保）', en: 'maintenance overdue', severity: 'minor', params: { maxAgeDays: 15 } },
  { key: 'inspection_expiring', kind: 'calendar', subject: 'elevator', zh: '定期检验即将到期', en: 'inspection certificate expiring', severity: 'warning', params: { withinDays: 30 } },
  { key: 'inspection_expired', kind: 'calendar', subject: 'elevator', zh: '定期检验已过期', en: 'inspection certificate expired', severity: 'major', params: {} },
  { key: 'inspection_expiring', kind: 'calendar', subject: 'boiler', zh: '定期检验即将到期', en: 'inspection certificate expiring', severity: 'warning', params: { withinDays: 30 } },
  { key: 'inspection_expired', kind: 'calendar', subject: 'boiler', zh: '定期检验已过期', en: 'inspection certificate expired', severity: 'major', params: {} },
];
export const CALENDAR_TYPES = ['maintenance_overdue', 'inspection_expiring', 'inspection_expired'];

/**
 * Pure: which calendar alarms one device deserves today. Returns one signal per calendar type that applies to
 * the device kind: raise when due, clear otherwise (clearing an alarm that is not active is a no-op).
 */
export function evaluateCalendar(device: Device, today: string, settingsOf: (key: string) => RuleSettings | undefined, at: number): Signal[] {
  const out: Signal[] = [];
  const meta = (key: string) => CALENDAR_RULES.find((r) => r.key === key && r.subject === device.kind);
  const push = (key: string, due: boolean, detail: Record<string, string | number>) => {
    const m = meta(key);
    const s = settingsOf(key);
    if (!m || !s) return;
    out.push({ action: due && s.enabled ? 'raise' : 'clear', type: key, severity: s.severity, title: { zh: m.zh, en: m.en }, at, detail });
  };
  if (device.lastMaintenanceOn) {
    const age = daysBetween(device.lastMaintenanceOn, today);
    const max = settingsOf('maintenance_overdue')?.params.maxAgeDays ?? 15;
    push('maintenance_overdue', age > max, { lastMaintenanceOn: device.lastMaintenanceOn, days: age });
  }
  if (device.inspectionValidUntil) {
    const left = daysBetween(today, device.inspectionValidUntil);
    const within = settingsOf('inspection_expiring')?.params.withinDays ?? 30;
    push('inspection_expired', left < 0, { validUntil: device.inspectionValidUntil, days: left });
    push('inspection_expiring', left >= 0 && left <= within, { validUntil: device.inspectionValidUntil, days: left });
  }
  return out;
}
