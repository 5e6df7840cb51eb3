import { ref } from 'vue';
import { currentLocale } from '@/i18n';

/** Ticks every 30 s so "online for 3 h" texts stay true without re-rendering on every live message. */
export const now = ref(Date.now());
setInterval(() => {
  now.value = Date.now();
}, 30_000);

const pad = (n: number) => String(n).padStart(2, '0');

/** HH:mm:ss today, MM-DD HH:mm this year, YYYY-MM-DD otherwise (the board's "last report" column). */
export function shortTime(ms: number | null | undefined, ref = Date.now()): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const r = new Date(ref);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === r.toDateString()) return `${hm}:${pad(d.getSeconds())}`;
  if (d.getFullYear() === r.getFullYear()) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** YYYY-MM-DD HH:mm:ss, for tables of records. */
export function fullTime(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A compact duration since `ms`: "3 分钟", "2 小时", "5 天" (zh) / "3 min", "2 h", "5 d" (en). */
export function since(ms: number | null | undefined, at = now.value): string {
  if (ms === null || ms === undefined) return '';
  const s = Math.max(0, Math.round((at - ms) / 1000));
  const zh = currentLocale() === 'zh-CN';
  if (s < 60) return zh ? '不到 1 分钟' : '< 1 min';
  const m = Math.floor(s / 60);
  if (m < 60) return zh ? `${m} 分钟` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return zh ? `${h} 小时` : `${h} h`;
  const d = Math.floor(h / 24);
  return zh ? `${d} 天` : `${d} d`;
}

/** A number with a unit, or the dash when absent. */
export function num(v: number | null | undefined, digits = 2, unit = ''): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const s = Number.isInteger(v) ? String(v) : v.toFixed(digits).replace(/\.?0+$/, '');
  return unit ? `${s} ${unit}` : s;
}

/** Today as YYYY-MM-DD in the browser's time zone (dates of records are calendar days). */
export function todayIso(d = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
