import type { Alarm } from '@/api/alarms';
import { actorName } from '@/api/alarms';
import { fullTime } from '@/utils/format';

type T = (key: string, values?: Record<string, unknown>) => string;
type TagType = 'danger' | 'warning' | 'info' | 'success' | 'primary';

/** Element Plus tag colours: open is red, waiting on someone amber/blue, finished green or grey. */
export const STATE_TAG: Record<Alarm['state'], TagType> = {
  open: 'danger', acknowledged: 'warning', rectified: 'primary', closed: 'success', false_alarm: 'info', auto_cleared: 'info',
};
export const SEVERITY_TAG: Record<string, TagType> = { critical: 'danger', major: 'warning', minor: 'primary', warning: 'info' };

const via = (t: T, v: string | null) => (v ? t(`alarm.via.${v}`) : '—');

/**
 * Who did each step and how, as one line per step (the list's 处理 column and the detail's steps): "张安全 于 10:02
 * 通过短信链接确认", "…到达现场", "…反馈整改", "…核查通过", "…关闭（规则自动）".
 */
export function handledLines(a: Alarm, t: T): string[] {
  const out: string[] = [];
  if (a.acknowledgedAt) out.push(t('alarm.ackedBy', { who: actorName(a.acknowledgedBy), at: fullTime(a.acknowledgedAt), via: via(t, a.acknowledgedVia) }));
  if (a.arrivedAt) out.push(t('alarm.arrivedBy', { who: actorName(a.arrivedBy), at: fullTime(a.arrivedAt) }));
  if (a.rectifiedAt) out.push(t('alarm.rectifiedBy', { who: actorName(a.rectifiedBy), at: fullTime(a.rectifiedAt) }));
  if (a.verifiedAt) out.push(t('alarm.verifiedBy', { who: actorName(a.verifiedBy), at: fullTime(a.verifiedAt) }));
  if (a.closedAt && !a.verifiedAt) {
    out.push(a.closedBy && a.closedVia !== 'automatic' ? t('alarm.closedBy', { at: fullTime(a.closedAt), who: actorName(a.closedBy) }) : t('alarm.closedVia', { at: fullTime(a.closedAt), via: via(t, a.closedVia) }));
  }
  if (a.reworkCount) out.push(t('alarm.rework', { n: a.reworkCount }));
  return out;
}
