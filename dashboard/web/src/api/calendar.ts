import type { CalendarT } from '../../../src/api/calendar';

/** `GET /calendar?month=YYYY-MM`: the server's own type. */
export type Calendar = CalendarT;
export type CalendarItem = Calendar['items'][number];
