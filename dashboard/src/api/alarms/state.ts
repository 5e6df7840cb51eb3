import { z } from 'zod';

/**
 * The states of an alarm as people know them, derived from status and outcome (docs/dashboard.md "Alarm centre"):
 *   open            raised, nobody acknowledged yet (待确认)
 *   acknowledged    someone acknowledged; waiting for the fix (已确认)
 *   rectified       the unit reported the fix; waiting for the inspector (已整改待核查)
 *   closed          resolved (by a verified fix, or the fix reported after the condition cleared) (已关闭)
 *   false_alarm     closed as a false alarm (误报)
 *   auto_cleared    the condition went away before anyone acted (自动恢复)
 */
export const ALARM_STATES = ['open', 'acknowledged', 'rectified', 'closed', 'false_alarm', 'auto_cleared'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
export const AlarmStateSchema = z.enum(ALARM_STATES);

export const STATE_LABEL: Record<AlarmState, string> = {
  open: '待确认', acknowledged: '已确认', rectified: '已整改待核查', closed: '已关闭', false_alarm: '误报', auto_cleared: '自动恢复',
};

export function alarmState(status: string, outcome: string | null): AlarmState {
  if (status !== 'closed') return status as AlarmState;
  if (outcome === 'false_alarm' || outcome === 'auto_cleared') return outcome;
  return 'closed';
}

/** The SQL condition on alarms `a` for one state (the same rule as alarmState). */
export function stateSql(state: AlarmState, a = 'a'): string {
  switch (state) {
    case 'open':
    case 'acknowledged':
    case 'rectified':
      return `${a}.status = '${state}'`;
    case 'false_alarm':
    case 'auto_cleared':
      return `(${a}.status = 'closed' AND ${a}.outcome = '${state}')`;
    case 'closed':
      return `(${a}.status = 'closed' AND (${a}.outcome IS NULL OR ${a}.outcome = 'resolved'))`;
  }
}

/** How a step was taken, from the via columns and the audit log ('sms_link' → the SMS link, 'automatic' → a rule). */
export const VIA_LABEL: Record<string, string> = { sms_link: '短信链接', dashboard: '工作台', automatic: '规则自动', api: '接口', cli: '命令行' };
