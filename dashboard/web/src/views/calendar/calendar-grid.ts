import type { CalendarItem } from '@/api/calendar';

export interface DayCell {
  /** YYYY-MM-DD */
  day: string;
  inMonth: boolean;
  items: CalendarItem[];
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The month as whole weeks, Monday first (as Chinese calendars print it), each day with the items due on it. */
export function monthGrid(month: string, items: readonly CalendarItem[]): DayCell[][] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(y, m - 1, 1));
  const start = new Date(first.getTime() - ((first.getUTCDay() + 6) % 7) * 86_400_000);
  const byDay = new Map<string, CalendarItem[]>();
  for (const i of items) byDay.set(i.due, [...(byDay.get(i.due) ?? []), i]);
  const weeks: DayCell[][] = [];
  for (let d = start; weeks.length < 6; ) {
    const week: DayCell[] = [];
    for (let k = 0; k < 7; k++, d = new Date(d.getTime() + 86_400_000)) week.push({ day: iso(d), inMonth: d.getUTCMonth() === m - 1, items: byDay.get(iso(d)) ?? [] });
    weeks.push(week);
    if (d.getUTCMonth() !== m - 1 && weeks.length >= 4) break;
  }
  return weeks;
}

/** YYYY-MM shifted by `n` months. */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
