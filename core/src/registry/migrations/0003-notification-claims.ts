/**
 * When a notification was claimed (queued → sending). A worker that dies between the claim and the provider's
 * answer leaves the row in `sending`; the time of the claim is what lets the alerts service tell such a row
 * from a send still in progress, and send it again (see alerts/src/notify/interrupted-sends.ts).
 */
export const sql = /* sql */ `
ALTER TABLE notifications ADD COLUMN claimed_at timestamptz;
CREATE INDEX notifications_sending ON notifications(claimed_at) WHERE status = 'sending';
`;
