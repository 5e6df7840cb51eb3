import type { AlarmStats } from '@/api/stats';
import type { ChartOption } from '@/utils/echarts';

type T = (key: string, values?: Record<string, unknown>) => string;
const SEVERITY_COLOR: Record<string, string> = { critical: '#dc2626', major: '#f97316', minor: '#2563eb', warning: '#94a3b8' };
const base = (title: string): ChartOption => ({
  animation: false,
  title: { text: title, left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: 600, color: '#303133' } },
  tooltip: { trigger: 'axis', confine: true },
  grid: { left: 44, right: 16, top: 56, bottom: 28 },
});

/** Every day of [from, to) as YYYY-MM-DD in the browser's time zone (the server's days are TW_TIMEZONE's: the same zone in practice). */
export function days(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(from);
  d.setHours(0, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  for (; d.getTime() < Date.parse(to) && out.length < 400; d.setDate(d.getDate() + 1)) out.push(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`);
  return out;
}

/** Alarms per day, stacked by type or by severity (a day without alarms is a 0, not a gap: nothing happened). */
export function perDayOption(s: AlarmStats, by: 'type' | 'severity', t: T, typeName: (type: string) => string): ChartOption {
  const xs = days(s.from, s.to);
  const keys = [...new Set(s.series.map((p) => p[by]))].sort();
  const series = keys.map((k) => {
    const per = new Map<string, number>();
    for (const p of s.series) if (p[by] === k) per.set(p.day, (per.get(p.day) ?? 0) + p.n);
    return {
      type: 'bar', stack: 'n', name: by === 'severity' ? t(`records.severityLevel.${k}`) : typeName(k), data: xs.map((d) => per.get(d) ?? 0),
      ...(by === 'severity' ? { itemStyle: { color: SEVERITY_COLOR[k] } } : {}),
    };
  });
  return {
    ...base(t(by === 'type' ? 'stats.chart.perDay' : 'stats.chart.perDaySeverity')),
    legend: { top: 28, type: 'scroll', textStyle: { fontSize: 11 } },
    xAxis: { type: 'category', data: xs.map((d) => d.slice(5)), axisLabel: { fontSize: 10 } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
    series,
  };
}

/** The 10 (device, type) pairs with the most alarms: where the same fault keeps coming back. */
export function worstOption(s: AlarmStats, t: T, typeName: (type: string) => string): ChartOption {
  const rows = [...s.worstRepeat].reverse();
  return {
    ...base(t('stats.chart.worst')),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    grid: { left: 150, right: 24, top: 40, bottom: 20 },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'category', data: rows.map((r) => `${r.name ?? r.subjectId} · ${typeName(r.type)}`), axisLabel: { fontSize: 10, width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', data: rows.map((r) => r.n), itemStyle: { color: '#f97316' }, label: { show: true, position: 'right', fontSize: 10 } }],
  };
}

/** SMS per provider: sent (incl. delivered), delivered, failed. */
export function smsOption(s: AlarmStats, t: T): ChartOption {
  const keys = ['sent', 'delivered', 'failed'] as const;
  const color = { sent: '#2563eb', delivered: '#16a34a', failed: '#dc2626' };
  return {
    ...base(t('stats.chart.sms')),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    legend: { top: 28, textStyle: { fontSize: 11 } },
    xAxis: { type: 'category', data: s.sms.map((r) => r.provider) },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
    series: keys.map((k) => ({ type: 'bar', name: t(`stats.sms.${k}`), data: s.sms.map((r) => r[k]), itemStyle: { color: color[k] } })),
  };
}
