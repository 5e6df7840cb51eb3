import { eventNames } from '@/utils/device-state';

type T = (key: string, values?: Record<string, unknown>) => string;

/** A rate as "87.5%", or the dash when nothing was counted (no trapped passengers is not a 0 % response rate). */
export const rate = (r: number | null | undefined): string => (r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`);

/** Seconds as "4 分 12 秒" / "3 小时 5 分". */
export function duration(s: number | null | undefined, t: T): string {
  if (s === null || s === undefined) return '—';
  const m = Math.floor(s / 60);
  if (m < 60) return t('stats.minutes', { m, s: Math.round(s % 60) });
  return t('stats.hours', { h: Math.floor(m / 60), m: m % 60 });
}

/** A rule key in words: "fault:11" → the fault's name from core's table, other rules as they are. */
export function typeName(type: string): string {
  if (!type.startsWith('fault:')) return type;
  const code = type.slice(6);
  const name = eventNames([code])[0];
  // a code core's table does not know stays "fault:<code>" (a bare number would say nothing)
  return name && name !== code ? name : type;
}
