import { UserError } from '@tianwang/core/errors';
import { localDate } from '@tianwang/alerts/actions';

/** A failed spot check is re-checked within a week unless the inspector picks another date. */
export const DEFAULT_RECHECK_DAYS = 7;

/** A re-check date lies today or later (in TW_TIMEZONE); an earlier one is a typo. */
export function notPast(ctx: { timezone: string }, dueOn: string): void {
  if (Number.isNaN(Date.parse(`${dueOn}T00:00:00Z`))) throw new UserError('TW_PAYLOAD_INVALID', `recheckDue: ${dueOn} is not a date`);
  if (dueOn < localDate(ctx.timezone, new Date())) throw new UserError('TW_PAYLOAD_INVALID', `recheckDue: ${dueOn} is in the past`);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** the default re-check date: DEFAULT_RECHECK_DAYS from today in TW_TIMEZONE */
export const defaultRecheck = (timezone: string) => addDays(localDate(timezone, new Date()), DEFAULT_RECHECK_DAYS);
