import type { Column } from 'element-plus';
import { h } from 'vue';
import { RouterLink } from 'vue-router';
import type { BoardRow } from '@/api/types';
import { i18n } from '@/i18n';
import { alarmCell, kindTag, lastSeenCell, marksCell, onlineCell, stateCell } from './cells';

const t = (k: string) => i18n.global.t(k);
const row = (fn: (r: BoardRow) => ReturnType<typeof h> | null) => ({ rowData }: { rowData: BoardRow }) => fn(rowData) ?? h('span');

/** The board's columns, sized for 1,366 px wide with the side menu open; the state column takes what is left. */
export function boardColumns(): Column<BoardRow>[] {
  return [
    { key: 'kind', dataKey: 'kind', title: t('board.col.kind'), width: 64, cellRenderer: row(kindTag) },
    { key: 'registrationCode', dataKey: 'registrationCode', title: t('board.col.registrationCode'), width: 178, sortable: true, class: 'mono' },
    {
      key: 'name',
      dataKey: 'name',
      title: t('board.col.name'),
      width: 130,
      sortable: true,
      cellRenderer: row((r) => h(RouterLink, { to: `/devices/${encodeURIComponent(r.id)}`, class: 'dev-link', title: r.id }, () => r.name || r.id)),
    },
    { key: 'unitName', dataKey: 'unitName', title: t('board.col.unit'), width: 150, sortable: true, cellRenderer: row((r) => h('span', { class: 'clip', title: r.unitName }, r.unitName)) },
    { key: 'location', dataKey: 'location', title: t('board.col.location'), width: 120, cellRenderer: row((r) => h('span', { class: 'clip', title: `${r.districtName} ${r.location}` }, r.location)) },
    { key: 'online', dataKey: 'online', title: t('board.col.online'), width: 118, sortable: true, cellRenderer: row(onlineCell) },
    { key: 'lastSeen', dataKey: 'lastSeen', title: t('board.col.lastSeen'), width: 92, sortable: true, cellRenderer: row(lastSeenCell) },
    { key: 'state', dataKey: 'telemetry', title: t('board.col.state'), width: 220, flexGrow: 1, cellRenderer: row(stateCell) },
    { key: 'activeAlarms', dataKey: 'activeAlarms', title: t('board.col.alarms'), width: 60, align: 'center', sortable: true, cellRenderer: row(alarmCell) },
    { key: 'marks', dataKey: 'maintenanceOverdue', title: t('board.col.marks'), width: 150, cellRenderer: row(marksCell) },
  ];
}
