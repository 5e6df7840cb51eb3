import { ackLinkQueries, alarmQueries } from '@tianwang/core/registry';
import { CALENDAR_TYPES, evaluateCalendar } from '../rules/calendar.js';
import { localDate } from '../time/local-time.js';
import type { EngineContext } from './context.js';
import { record } from './uplink-handler.js';

/**
 * The calendar rules over the whole fleet, run by a BullMQ repeatable job (one worker runs each occurrence).
 * A condition that continues is not raised again (no count inflation every hour); one that ended is cleared.
 */
export async function runCalendar(ctx: EngineContext): Promise<{ raised: number; cleared: number }> {
  const now = ctx.now();
  const today = localDate(ctx.timezone, new Date(now));
  const active = new Set((await alarmQueries(ctx.registry.db).activeOfTypes(CALENDAR_TYPES)).map((a) => `${a.subjectId}|${a.type}`));
  let raised = 0;
  let cleared = 0;
  for (const device of await ctx.registry.devices.list()) {
    if (!device.enabled) continue;
    const d = await ctx.devices.get(device.id);
    if (!d) continue;
    const target = { subject: d.kind, id: d.id, model: d.model, districtId: d.districtId };
    // the registry row is fresher than the cache for dates (maintenance just recorded)
    for (const s of evaluateCalendar(device, today, (key) => ctx.rules.settings(key, target), now)) {
      const isActive = active.has(`${device.id}|${s.type}`);
      if (s.action === 'raise' && !isActive) {
        await record(ctx, s, d);
        raised++;
      } else if (s.action === 'clear' && isActive) {
        await record(ctx, s, d);
        cleared++;
      }
    }
  }
  // housekeeping rides along: links expired a month ago are of no use to anyone
  await ackLinkQueries(ctx.registry.db).purgeExpired(30);
  return { raised, cleared };
}
