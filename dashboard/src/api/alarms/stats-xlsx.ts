import type { Column } from '../xlsx.js';

/** One row of the statistics table (a group, or the total), as GET /stats/alarms answers it. */
export interface StatsRow {
  key: string | null; name: string | null; alarms: number; medianAckS: number | null;
  trapped: number; trappedResponded3m: number; trappedArrived30m: number; responseRate3m: number | null; arrivalRate30m: number | null;
  rectified: number; rectifiedClosed: number; closureRate: number | null; medianRectifyS: number | null;
}

const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
const min = (s: number | null) => (s === null ? null : Math.round(s / 6) / 10);
export const GROUP_HEADER = { district: '辖区 / 网格', unit: '使用单位', company: '维保单位' } as const;

/** The statistics table as the export writes it (Chinese headers, rates in %, durations in minutes). */
export const statsColumns = (groupBy: keyof typeof GROUP_HEADER): Column<StatsRow>[] => [
  { header: GROUP_HEADER[groupBy], value: (r) => r.name ?? r.key ?? '（未指定）', width: 22 },
  { header: '报警数', value: (r) => r.alarms },
  { header: '确认用时中位数（分钟）', value: (r) => min(r.medianAckS), width: 22 },
  { header: '困人报警', value: (r) => r.trapped },
  { header: '3分钟响应', value: (r) => r.trappedResponded3m },
  { header: '3分钟响应率（%）', value: (r) => pct(r.responseRate3m), width: 18 },
  { header: '30分钟到场', value: (r) => r.trappedArrived30m },
  { header: '30分钟到场率（%）', value: (r) => pct(r.arrivalRate30m), width: 18 },
  { header: '已整改', value: (r) => r.rectified },
  { header: '整改关闭', value: (r) => r.rectifiedClosed },
  { header: '整改闭环率（%）', value: (r) => pct(r.closureRate), width: 18 },
  { header: '整改用时中位数（分钟）', value: (r) => min(r.medianRectifyS), width: 22 },
];
