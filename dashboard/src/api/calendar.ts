import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SqlParams, scopeSql } from '../auth/sql-scope.js';
import { localDay } from '../live/board-row.js';
import { scopeOf, type ApiContext } from './context.js';
import { route } from './route.js';

/** An elevator is maintained at least every 15 days (TSG T5002; the board's and alerts' rule). */
export const MAINTENANCE_EVERY_DAYS = 15;
/** Marks of the calendar: the alerts' calendar reminders go out at T-30 and T-7. */
const WARN_DAYS = [7, 30] as const;
/** More devices than this due in one month (or overdue) are cut (`truncated`): a month view cannot show them anyway. */
const MAX_ROWS = 5000;

const Level = z.enum(['overdue', 't7', 't30', 'later']).meta({ description: 'overdue: the day has passed; t7/t30: due within 7/30 days of today; later' });
const Item = z.object({
  deviceId: z.string(), name: z.string(), kind: z.string(), registrationCode: z.string(), unitName: z.string().nullable(), districtName: z.string().nullable(),
  what: z.enum(['maintenance', 'inspection']).meta({ description: 'maintenance: the 15-day maintenance falls due (elevators); inspection: the certificate is valid until this day' }),
  due: z.string().meta({ description: 'YYYY-MM-DD' }), level: Level, daysLeft: z.number().int().meta({ description: 'due minus today, in days (negative: overdue)' }),
});
const Calendar = z.object({
  month: z.string(), today: z.string(),
  items: z.array(Item).meta({ description: 'due in the month, and everything overdue (whatever its month), by due day' }),
  truncated: z.boolean(),
});
export type CalendarT = z.input<typeof Calendar>;

const day = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
export function levelOf(daysLeft: number): z.infer<typeof Level> {
  if (daysLeft < 0) return 'overdue';
  return daysLeft <= WARN_DAYS[0] ? 't7' : daysLeft <= WARN_DAYS[1] ? 't30' : 'later';
}

/**
 * GET /calendar?month=YYYY-MM (维保检验日历): the maintenance due days (last maintenance + 15 days, elevators) and the
 * inspection expiry days (`inspection_valid_until`) of the enabled devices in scope that fall in the month, plus every
 * one already overdue, each marked overdue / T-7 / T-30 against today in TW_TIMEZONE. An elevator never maintained
 * has no due day (the board does not mark it overdue either).
 */
export function calendarRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/calendar', summary: 'Maintenance and inspection due days in a month, in scope', tags: ['calendar'],
    querystring: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().meta({ description: 'YYYY-MM; default: this month in TW_TIMEZONE' }) }),
    response: Calendar,
  }, async (req) => {
    const today = localDay(ctx.timezone);
    const month = req.query.month ?? today.slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const start = `${month}-01`;
    const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const p = new SqlParams();
    const scope = scopeSql.devices(await scopeOf(ctx, req), p);
    const [t, s, e] = [p.add(today), p.add(start), p.add(end)];
    const maint = `(d.last_maintenance_on + ${MAINTENANCE_EVERY_DAYS})`;
    const rows = await ctx.registry.db.query<Record<string, string | null>>(
      `SELECT d.id, d.name, d.kind, d.registration_code, u.name AS unit_name, dt.name AS district_name,
         CASE WHEN d.kind = 'elevator' THEN to_char(${maint}, 'YYYY-MM-DD') END AS maintenance_due, to_char(d.inspection_valid_until, 'YYYY-MM-DD') AS inspection_due
       FROM devices d JOIN units u ON u.id = d.unit_id LEFT JOIN districts dt ON dt.id = u.district_id
       WHERE ${scope} AND d.enabled AND (
         (d.kind = 'elevator' AND (${maint} < ${t}::date OR ${maint} BETWEEN ${s}::date AND ${e}::date))
         OR d.inspection_valid_until < ${t}::date OR d.inspection_valid_until BETWEEN ${s}::date AND ${e}::date)
       ORDER BY d.id LIMIT ${MAX_ROWS + 1}`,
      p.values,
    );
    const items: z.input<typeof Item>[] = [];
    const inView = (due: string) => due < today || (due >= start && due <= end);
    for (const r of rows.slice(0, MAX_ROWS)) {
      const base = { deviceId: r.id!, name: r.name!, kind: r.kind!, registrationCode: r.registration_code!, unitName: r.unit_name ?? null, districtName: r.district_name ?? null };
      for (const [what, due] of [['maintenance', r.maintenance_due], ['inspection', r.inspection_due]] as const) {
        if (!due || !inView(due)) continue;
        const daysLeft = day(due) - day(today);
        items.push({ ...base, what, due, daysLeft, level: levelOf(daysLeft) });
      }
    }
    items.sort((a, b) => a.due.localeCompare(b.due) || a.deviceId.localeCompare(b.deviceId) || a.what.localeCompare(b.what));
    return { month, today, items, truncated: rows.length > MAX_ROWS };
  });
}
