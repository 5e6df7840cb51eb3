import type { Telemetry } from '@/api/types';
import type { ChartOption } from '@/utils/echarts';

export interface BoilerLimits {
  ratedPressure?: number;
  safetyValveSet?: number;
}

/** Water-level alarms at ±50 mm from normal (domain brief: typical low/high water alarm points). */
export const WATER_ALARM_MM = 50;
const WATER_SPAN_MM = 150;

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above v: five ticks of a round step (0.4, 0.5, 1 …). */
function niceMax(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * k >= v) ?? 10) * k;
}

const band = (stops: [number, string][]) => ({ lineStyle: { width: 12, color: stops } });

/**
 * Two gauges with their limits drawn on the dial: steam pressure (green up to the rated pressure, amber up to the
 * safety-valve set point, red above) and water level (red beyond ±50 mm).
 */
export function boilerGauges(tm: Telemetry | null, lim: BoilerLimits, labels: { pressure: string; waterLevel: string }): ChartOption {
  const rated = lim.ratedPressure ?? 1.25;
  const valve = lim.safetyValveSet ?? rated * 1.04;
  const max = niceMax(Math.max(valve * 1.25, tm?.pressure ?? 0));
  const common = {
    type: 'gauge',
    radius: '88%',
    startAngle: 210,
    endAngle: -30,
    splitNumber: 5,
    pointer: { width: 4, length: '60%' },
    axisTick: { distance: -12, length: 4 },
    splitLine: { distance: -12, length: 12 },
    axisLabel: { distance: 16, fontSize: 10, color: '#606266' },
    title: { offsetCenter: [0, '78%'], fontSize: 13, color: '#606266' },
    detail: { offsetCenter: [0, '38%'], fontSize: 17, fontWeight: 600, color: '#1f2d3d' },
  };
  return {
    series: [
      {
        ...common,
        center: ['25%', '55%'],
        min: 0,
        max,
        axisLine: band([
          [rated / max, '#16a34a'],
          [valve / max, '#d97706'],
          [1, '#dc2626'],
        ]),
        axisLabel: { ...common.axisLabel, formatter: (v: number) => String(Math.round(v * 100) / 100) },
        detail: { ...common.detail, formatter: (v: number) => (tm?.pressure === undefined ? '—' : `${v.toFixed(2)} MPa`) },
        data: [{ value: tm?.pressure ?? 0, name: labels.pressure }],
      },
      {
        ...common,
        center: ['75%', '55%'],
        min: -WATER_SPAN_MM,
        max: WATER_SPAN_MM,
        splitNumber: 6,
        axisLine: band([
          [(WATER_SPAN_MM - WATER_ALARM_MM) / (2 * WATER_SPAN_MM), '#dc2626'],
          [(WATER_SPAN_MM + WATER_ALARM_MM) / (2 * WATER_SPAN_MM), '#16a34a'],
          [1, '#dc2626'],
        ]),
        detail: { ...common.detail, formatter: (v: number) => (tm?.waterLevel === undefined ? '—' : `${Math.round(v)} mm`) },
        data: [{ value: Math.max(-WATER_SPAN_MM, Math.min(WATER_SPAN_MM, tm?.waterLevel ?? 0)), name: labels.waterLevel }],
      },
    ],
  };
}
