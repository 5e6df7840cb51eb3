/**
 * Indexes for the alarm centre over millions of alarms (issue #16; measured over 1,000,000 seeded alarms by
 * `npm run bench:dashboard -- --only alarms`, docs/benchmarks.md "Alarm centre"). The list's conditions name only
 * the alarm (dashboard/src/api/alarms/query.ts), so each filter shape has an index to walk newest first and stop at a page:
 * - by type over a period (trapped passengers last month; the statistics' per-type series);
 * - by last seen (the list sorted by "last seen", newest first);
 * - the closed alarms by how they ended (false alarms, auto-cleared: a few percent of the history).
 * The rest was there already: newest first (alarms_first_seen), per device (alarms_subject, which also serves the
 * unit, company and kind filters through the device ids), the active ones (alarms_open).
 */
export const sql = /* sql */ `
CREATE INDEX alarms_type_first_seen ON alarms(type, first_seen_at);
CREATE INDEX alarms_last_seen ON alarms(last_seen_at DESC, id DESC);
CREATE INDEX alarms_closed_outcome ON alarms(outcome, id DESC) WHERE status = 'closed';
`;
