/**
 * "HH:MM-HH:MM" local-time windows (business hours, recording hours), which may wrap midnight
 * ("22:00-06:00"). Local time is taken in the configured zone (Asia/Shanghai by default), never the host's.
 */
export function minutesOfDay(date: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

function parse(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** null or an unparsable window means "all day" (a camera with no recording hours records all day). */
export function inWindow(window: string | null | undefined, date: Date, timeZone: string): boolean {
  if (!window || !/^\d\d:\d\d-\d\d:\d\d$/.test(window)) return true;
  const [from, to] = window.split('-') as [string, string];
  const start = parse(from);
  const end = parse(to);
  const now = minutesOfDay(date, timeZone);
  if (start === end) return true;
  return start < end ? now >= start && now < end : now >= start || now < end;
}
