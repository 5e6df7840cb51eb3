import type { Kitchen, Registry } from '@tianwang/core/registry';

const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);

/** Business hours that contain now (a two-hour window around it) or exclude it (two hours starting in two hours). */
export function hoursAround(open: boolean): string {
  const now = Date.now();
  return open ? `${hhmm(new Date(now - 3_600_000))}-${hhmm(new Date(now + 3_600_000))}` : `${hhmm(new Date(now + 7_200_000))}-${hhmm(new Date(now + 10_800_000))}`;
}

/** Changes some fields of the seeded kitchen K1. */
export async function updateK1(registry: Registry, over: Partial<Kitchen>): Promise<void> {
  const k1 = (await registry.kitchens.list()).find((k) => k.id === 'K1')!;
  await registry.kitchens.upsert({ ...k1, ...over });
}
