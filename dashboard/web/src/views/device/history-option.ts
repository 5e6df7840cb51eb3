import type { ChartOption } from '@/utils/echarts';
import { fullTime } from '@/utils/format';
import type { FieldChart } from '@/utils/telemetry-fields';

export type Point = [number, number | string | null];

export interface Limits {
  /** horizontal lines (rated pressure, alarm levels), always inside the value axis */
  lines?: { value: number; label: string }[];
}

/**
 * One field's chart. A null value is a bucket without data and stays a gap (connectNulls: false): a terminal that
 * was offline must not look like it reported a straight line. Charts of one device share a group, so zooming or
 * hovering one moves them all.
 */
export function historyOption(f: FieldChart, title: string, data: Point[], range: [number, number], t: (k: string) => string, limits: Limits = {}): ChartOption {
  const isEnum = f.chart === 'enum' && f.states;
  const stateLabel = (v: string | number) => (isEnum ? t(`${f.states?.prefix}.${v}`) : String(v));
  const categories = isEnum ? (f.states?.values ?? []).map(stateLabel) : undefined;
  const lines = (limits.lines ?? []).map((l) => l.value);
  const series = data.map(([x, v]): [number, number | string | null] => [x, v === null ? null : isEnum ? stateLabel(v) : v]);
  return {
    animation: false,
    title: { text: f.unit ? `${title}（${f.unit}）` : title, left: 8, top: 4, textStyle: { fontSize: 13, fontWeight: 600, color: '#303133' } },
    grid: { left: isEnum ? 76 : 52, right: 16, top: 32, bottom: 40 },
    tooltip: {
      trigger: 'axis',
      confine: true,
      valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : f.chart === 'ratio' ? `${Math.round(Number(v) * 100)}%` : String(typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)),
    },
    xAxis: {
      type: 'time',
      min: range[0],
      max: range[1],
      // a day boundary reads 12-03, not ECharts' bare day number
      axisLabel: { fontSize: 10, hideOverlap: true, formatter: { year: '{yyyy}', month: '{MM}-{dd}', day: '{MM}-{dd}', hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}' } },
      axisPointer: { label: { formatter: (p: { value: unknown }) => fullTime(Number(p.value)) } },
    },
    yAxis: isEnum
      ? { type: 'category', data: categories, axisLabel: { fontSize: 10, interval: 0 }, splitLine: { show: true, lineStyle: { color: '#f0f0f0' } } }
      : f.chart === 'ratio'
        ? { type: 'value', min: 0, max: 1, interval: 0.5, axisLabel: { fontSize: 10, formatter: (v: number) => `${v * 100}%` }, splitLine: { lineStyle: { color: '#f0f0f0' } } }
        : {
            type: 'value',
            scale: true,
            // a limit stays on the chart even when every reading is far below it
            ...(lines.length ? { min: (e: { min: number }) => Math.min(e.min, ...lines), max: (e: { max: number }) => Math.max(e.max, ...lines) } : {}),
            axisLabel: { fontSize: 10 },
            splitLine: { lineStyle: { color: '#f0f0f0' } },
            minInterval: f.chart === 'step' ? 1 : 0,
          },
    dataZoom: [
      { type: 'inside', filterMode: 'none' },
      { type: 'slider', height: 14, bottom: 6, filterMode: 'none', showDetail: false, brushSelect: false },
    ],
    series: [
      {
        type: 'line',
        name: title,
        data: series,
        connectNulls: false,
        showSymbol: series.length < 60,
        symbolSize: 4,
        step: f.chart === 'step' || isEnum ? 'end' : false,
        sampling: f.chart === 'line' ? 'lttb' : undefined,
        lineStyle: { width: 1.5 },
        areaStyle: f.chart === 'ratio' ? { opacity: 0.15 } : undefined,
        markLine: limits.lines?.length
          ? { symbol: 'none', silent: true, lineStyle: { color: '#dc2626', type: 'dashed' }, label: { formatter: '{b}', fontSize: 10, position: 'insideEndTop' }, data: limits.lines.map((l) => ({ yAxis: l.value, name: l.label })) }
          : undefined,
      },
    ],
  };
}
