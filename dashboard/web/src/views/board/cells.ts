import { h, type VNode } from 'vue';
import type { BoardRow } from '@/api/types';
import { i18n } from '@/i18n';
import { router } from '@/router';
import { eventNames, runState, stateParts } from '@/utils/device-state';
import { now, shortTime, since } from '@/utils/format';
import './board.css';

/**
 * Small renderers shared by the board table (el-table-v2 cells) and the phone cards. Plain elements styled like
 * Element Plus tags, not components: a scrolled virtual table renders every visible row again, and component
 * instances per cell made fast scrolling over 5,000 rows drop frames.
 */
const t = (k: string, named?: Record<string, unknown>) => (named ? i18n.global.t(k, named) : i18n.global.t(k));

const tag = (kind: string, text: string) => h('span', { class: ['tw-tag', kind] }, text);

export const kindTag = (r: BoardRow): VNode => tag(r.kind === 'elevator' ? 'plain-primary' : 'plain-warning', t(`kind.${r.kind}`));

/** A link into the app without a RouterLink component per row. */
export const appLink = (to: string, text: string, cls: string) =>
  h('a', { href: to, class: cls, title: text, onClick: (e: MouseEvent) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    void router.push(to);
  } }, text);

export function onlineCell(r: BoardRow): VNode {
  const state = r.online === null ? 'unknown' : r.online ? 'online' : 'offline';
  // how long a device has been offline is what a supervisor follows up; an online one just says so
  const dur = r.online === false ? since(r.onlineSince, now.value) : '';
  return h('span', { class: ['conn', `is-${state}`], 'data-online': state }, [
    h('i', { class: 'dot' }),
    h('span', t(`online.${state}`)),
    dur ? h('span', { class: 'since muted', title: t('board.offlineFor') }, dur) : null,
  ]);
}

export const lastSeenCell = (r: BoardRow): VNode => h('span', { class: 'num' }, shortTime(r.lastSeen ?? r.telemetryTs, now.value));

export function stateCell(r: BoardRow): VNode {
  const run = runState(r);
  const faults = eventNames(r.activeEvents);
  const parts = stateParts(r.kind, r.telemetry);
  const text = parts.join(' · ');
  return h('span', { class: 'state', 'data-state': text, title: [...faults, text].filter(Boolean).join(' · ') }, [
    run === 'unknown' ? null : h('span', { class: ['run', run] }, t(`run.${r.kind}.${run}`)),
    faults.length ? h('span', { class: 'fault' }, faults.join('、')) : null,
    h('span', { class: 'parts' }, text || t('board.noData')),
  ]);
}

export function alarmCell(r: BoardRow): VNode | null {
  if (!r.activeAlarms) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'alarm-badge', title: t('board.activeAlarms') }, String(r.activeAlarms));
}

export function marksCell(r: BoardRow): VNode {
  const tags: VNode[] = [];
  if (r.maintenanceOverdue) tags.push(tag('light-warning', t('board.maintenanceOverdue')));
  if (r.inspectionExpired) tags.push(tag('light-danger', t('board.inspectionExpired')));
  else if (r.inspectionExpiring) tags.push(tag('light-warning', t('board.inspectionExpiring')));
  return h('span', { class: 'marks' }, tags.length ? tags : [h('span', { class: 'muted' }, '—')]);
}
