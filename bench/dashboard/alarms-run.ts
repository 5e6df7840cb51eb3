/**
 * Part 4 of the dashboard benchmark: seed the alarm history into the benchmark's PostgreSQL (alarms-seed.ts), then
 * measure the alarm centre through the dashboard's HTTP API (alarms-queries.ts). Targets (issue #16): a filtered
 * page p99 < 100 ms, a district's monthly statistics p99 < 1 s.
 */
import { openRegistry } from '@tianwang/core/registry';
import { alarmQueries, type ShapeFigures } from './alarms-queries.js';
import { seedAlarms } from './alarms-seed.js';
import { signIn } from './http.js';

export interface AlarmsFigures {
  seeded: { alarms: number; notifications: number; seconds: number };
  inScope: number;
  month: string;
  list: ShapeFigures[];
  stats: ShapeFigures;
}

export async function alarmsPart(pgUrl: string, base: string, o: { alarms: number; requests: number; statsRequests: number; log: (s: string) => void }): Promise<AlarmsFigures> {
  o.log(`seeding ${o.alarms} alarms with their notifications …`);
  const reg = await openRegistry({ databaseUrl: pgUrl });
  let seeded: AlarmsFigures['seeded'];
  try {
    seeded = await seedAlarms(reg, o.alarms);
  } finally {
    await reg.close();
  }
  o.log(`seeded: ${JSON.stringify(seeded)}`);
  const cookie = await signIn(base);
  const { list, stats, month } = await alarmQueries(base, cookie, o);
  return { seeded, inScope: list[0]?.total ?? 0, month, list, stats };
}

export function printAlarms(a: AlarmsFigures): void {
  console.log(`| alarm history seeded: alarms · notifications · seconds | ${a.seeded.alarms} · ${a.seeded.notifications} · ${a.seeded.seconds} s | — |`);
  for (const s of a.list) console.log(`| alarms page of 50, ${s.shape} (${s.total} match): p50 / p99 / max over ${s.requests} | ${s.p50} / ${s.p99} / ${s.max} ms | p99 < 100 ms |`);
  const s = a.stats;
  console.log(`| statistics, ${s.shape} (${s.total} alarms): p50 / p99 / max over ${s.requests} | ${s.p50} / ${s.p99} / ${s.max} ms | p99 < 1,000 ms |`);
}
