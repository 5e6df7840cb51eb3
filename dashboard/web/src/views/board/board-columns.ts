import type { Column } from 'element-plus';
import { h } from 'vue';
import type { BoardRow } from '@/api/types';
import { currentLocale, i18n } from '@/i18n';
import { alarmCell, appLink, kindTag, lastSeenCell, marksCell, onlineCell, stateCell } from './cells';

const t = (k: string) => i18n.global.t(k);
const row = (fn: (r: BoardRow) => ReturnType<typeof h> | null) => ({ rowData }: { rowData: BoardRow }) => fn(rowData) ?? h('span');

/** The board's columns, sized for 1,366 px wide with the side menu open; the state column takes what is left. */
/** Two lines in one cell: the main text and a muted detail under it (name over location, unit over district). */
const twoLines = (main: string, sub: string, link?: string) =>
  h('div', { class: 'two-lines' }, [
    link ? appLink(link, main, 'dev-link') : h('span', { class: 'clip', title: main }, main),
    h('span', { class: 'clip sub', title: sub }, sub || '—'),
  ]);

/** The board's columns, sized for 1,366 px wide with the side menu open; the state column takes what is left. */
export function boardColumns(): Column<BoardRow>[] {
  // English words are wider than their Chinese names ("Elevator", "Last report")
  const en = currentLocale() === 'en';
  return [
    { key: 'kind', dataKey: 'kind', title: t('board.col.kind'), width: en ? 76 : 58, cellRenderer: row(kindTag) },
    { key: 'registrationCode', dataKey: 'registrationCode', title: t('board.col.registrationCode'), width: 170, sortable: true, class: 'mono' },
    {
      key: 'name',
      dataKey: 'name',
      title: t('board.col.nameLocation'),
      width: 140,
      sortable: true,
      cellRenderer: row((r) => twoLines(r.name || r.id, r.location, `/devices/${encodeURIComponent(r.id)}`)),
    },
    { key: 'unitName', dataKey: 'unitName', title: t('board.col.unitDistrict'), width: 160, sortable: true, cellRenderer: row((r) => twoLines(r.unitName, r.districtName)) },
    { key: 'online', dataKey: 'online', title: t('board.col.online'), width: 96, sortable: true, cellRenderer: row(onlineCell) },
    { key: 'lastSeen', dataKey: 'lastSeen', title: t('board.col.lastSeen'), width: en ? 96 : 84, sortable: true, cellRenderer: row(lastSeenCell) },
    { key: 'state', dataKey: 'telemetry', title: t('board.col.state'), width: 200, flexGrow: 1, cellRenderer: row(stateCell) },
    { key: 'activeAlarms', dataKey: 'activeAlarms', title: t('board.col.alarms'), width: 52, align: 'center', sortable: true, cellRenderer: row(alarmCell) },
    { key: 'marks', dataKey: 'maintenanceOverdue', title: t('board.col.marks'), width: 124, cellRenderer: row(marksCell) },
  ];
}
