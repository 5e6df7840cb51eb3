/**
 * The alarm centre over the seeded history (alarms-seed.ts), through the HTTP API as the signed-in bench inspector
 * (scope: the BENCH district, about a third of the alarms). Closed loop, one request at a time: this measures how
 * long one inspector waits for a page, not the throughput of the server.
 *   - a filtered list page (50 rows, with its total) for several filter shapes, `requests` each, and the second page
 *     of the default list (the keyset cursor);
 *   - the district's statistics for the last full calendar month (TW_TIMEZONE, Asia/Shanghai), `statsRequests` times.
 * A shape's first request is a warm-up (not counted): it is also the one dashboard-proc explains when asked to.
 */
import { http, pct } from './http.js';

export interface ShapeFigures {
  shape: string;
  requests: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
}

const SHANGHAI_MS = 8 * 3_600_000;

/** The last full calendar month in Asia/Shanghai (no daylight saving time): [from, to) as ISO instants. */
export function lastMonth(now = new Date()): { from: string; to: string; label: string } {
  const local = new Date(now.getTime() + SHANGHAI_MS);
  const start = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1) - SHANGHAI_MS;
  const end = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - SHANGHAI_MS;
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), label: new Date(start + SHANGHAI_MS).toISOString().slice(0, 7) };
}

function shapes(): [string, string][] {
  const m = lastMonth();
  const quarter = new Date(Date.now() - 90 * 86_400_000).toISOString();
  const q = (s: string) => s.replace(/:/g, '%3A');
  return [
    ['newest first, no filter', ''],
    ['active (not closed)', '&active=true'],
    ['open, critical', '&state=open&severity=critical'],
    ['trapped passengers, last month', `&type=fault%3A11&from=${q(m.from)}&to=${q(m.to)}`],
    ['grid D2, elevators, 90 days', `&districtId=D2&kind=elevator&from=${q(quarter)}`],
    ['one unit (U7)', '&unitId=U7'],
    ['maintenance company M3, by last seen', '&companyId=M3&sort=lastSeenAt'],
    ['false alarms, boilers', '&state=false_alarm&kind=boiler'],
  ];
}

async function timed(url: string, cookie: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await http('GET', url, { cookie });
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.body.slice(0, 300)}`);
  return { ms, body: res.body };
}

async function measure(shape: string, url: string, cookie: string, requests: number): Promise<ShapeFigures> {
  const first = await timed(url, cookie);
  const total = (JSON.parse(first.body) as { total?: number }).total ?? -1;
  const lat: number[] = [];
  for (let i = 0; i < requests; i++) lat.push((await timed(url, cookie)).ms);
  const r = (x: number) => +x.toFixed(1);
  return { shape, requests, total, p50: r(pct(lat, 50)), p99: r(pct(lat, 99)), max: r(Math.max(...lat)) };
}

export async function alarmQueries(base: string, cookie: string, o: { requests: number; statsRequests: number; log: (s: string) => void }): Promise<{ list: ShapeFigures[]; stats: ShapeFigures; month: string }> {
  const list: ShapeFigures[] = [];
  for (const [shape, filter] of shapes()) {
    list.push(await measure(shape, `${base}/api/v1/alarms?limit=50${filter}`, cookie, o.requests));
    o.log(`alarms list, ${JSON.stringify(list[list.length - 1])}`);
  }
  const page1 = JSON.parse((await timed(`${base}/api/v1/alarms?limit=50`, cookie)).body) as { nextCursor: string };
  list.push(await measure('second page (cursor)', `${base}/api/v1/alarms?limit=50&cursor=${page1.nextCursor}`, cookie, o.requests));
  o.log(`alarms list, ${JSON.stringify(list[list.length - 1])}`);
  const m = lastMonth();
  const stats = await measure(`district BENCH, ${m.label}`, `${base}/api/v1/stats/alarms?districtId=BENCH&from=${m.from}&to=${m.to}`, cookie, o.statsRequests);
  const body = JSON.parse((await timed(`${base}/api/v1/stats/alarms?districtId=BENCH&from=${m.from}&to=${m.to}`, cookie)).body) as { total: { alarms: number } };
  stats.total = body.total.alarms;
  o.log(`alarm statistics, ${JSON.stringify(stats)}`);
  return { list, stats, month: m.label };
}
