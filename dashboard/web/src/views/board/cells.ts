import { ElTag } from 'element-plus';
import { h, type VNode } from 'vue';
import type { BoardRow } from '@/api/types';
import { i18n } from '@/i18n';
import { eventNames, runState, stateParts } from '@/utils/device-state';
import { now, shortTime, since } from '@/utils/format';
import './board.css';

/** Small renderers shared by the board table (el-table-v2 cells) and the phone cards. */
const t = (k: string, named?: Record<string, unknown>) => (named ? i18n.global.t(k, named) : i18n.global.t(k));

export const kindTag = (r: BoardRow): VNode =>
  h(ElTag, { size: 'small', type: r.kind === 'elevator' ? 'primary' : 'warning', effect: 'plain', disableTransitions: true }, () => t(`kind.${r.kind}`));

export function onlineCell(r: BoardRow): VNode {
  const state = r.online === null ? 'unknown' : r.online ? 'online' : 'offline';
  const dur = since(r.onlineSince, now.value);
  return h('span', { class: ['conn', `is-${state}`], 'data-online': state }, [
    h('i', { class: 'dot' }),
    h('span', t(`online.${state}`)),
    dur ? h('span', { class: 'since muted', title: t('board.since') }, dur) : null,
  ]);
}

export const lastSeenCell = (r: BoardRow): VNode => h('span', { class: 'num' }, shortTime(r.lastSeen ?? r.telemetryTs, now.value));

export function stateCell(r: BoardRow): VNode {
  const run = runState(r);
  const faults = eventNames(r.activeEvents);
  const parts = stateParts(r.kind, r.telemetry);
  return h('span', { class: 'state', 'data-state': parts.join(' · ') }, [
    run === 'unknown' ? null : h('span', { class: ['run', run] }, t(`run.${r.kind}.${run}`)),
    faults.length ? h('span', { class: 'fault' }, faults.join('、')) : null,
    h('span', { class: 'parts' }, parts.length ? parts.join(' · ') : t('board.noData')),
  ]);
}

export function alarmCell(r: BoardRow): VNode | null {
  if (!r.activeAlarms) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'alarm-badge', title: t('board.activeAlarms') }, String(r.activeAlarms));
}

export function marksCell(r: BoardRow): VNode {
  const tags: VNode[] = [];
  const tag = (type: 'danger' | 'warning', key: string) => h(ElTag, { size: 'small', type, effect: 'light', disableTransitions: true }, () => t(key));
  if (r.maintenanceOverdue) tags.push(tag('warning', 'board.maintenanceOverdue'));
  if (r.inspectionExpired) tags.push(tag('danger', 'board.inspectionExpired'));
  else if (r.inspectionExpiring) tags.push(tag('warning', 'board.inspectionExpiring'));
  return h('span', { class: 'marks' }, tags.length ? tags : [h('span', { class: 'muted' }, '—')]);
}
