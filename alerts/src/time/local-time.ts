/**
 * Local wall-clock helpers for one IANA time zone (quiet hours, business hours, SMS times, calendar days).
 * Intl does the zone arithmetic; we only need minutes of the day and dates.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function parts(tz: string, at: Date): Record<string, string> {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

/** 'YYYY-MM-DD' in the zone */
export function localDate(tz: string, at: Date): string {
  const p = parts(tz, at);
  return `${p.year}-${p.month}-${p.day}`;
}

/** 'MM-DD HH:mm' in the zone: short enough for an SMS */
export function localShortTime(tz: string, at: Date): string {
  const p = parts(tz, at);
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function localMinutes(tz: string, at: Date): number {
  const p = parts(tz, at);
  return Number(p.hour) * 60 + Number(p.minute);
}

/** "HH:MM-HH:MM" → [start, end) in minutes; a range may wrap midnight ("22:00-08:00"). */
export function parseRange(range: string): [number, number] {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(range);
  if (!m) throw new Error(`not a time range: ${range}`);
  return [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
}

export function inRange(range: string, minutes: number): boolean {
  const [start, end] = parseRange(range);
  if (start === end) return true;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/** Milliseconds from `at` until the range ends (0 when `at` is outside it). */
export function msUntilRangeEnd(range: string, tz: string, at: Date): number {
  const now = localMinutes(tz, at);
  if (!inRange(range, now)) return 0;
  const [, end] = parseRange(range);
  const minutes = (end - now + 1440) % 1440 || 1440;
  // align to the minute boundary: the seconds already past this minute are subtracted
  return minutes * 60_000 - (at.getTime() % 60_000);
}

/** Whole days from date a to date b (both 'YYYY-MM-DD'). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
