/**
 * Alerts additions: short acknowledgement links. An SMS has room for a short id only, so the signed,
 * expiring token lives here under a random id (the link is `${publicUrl}/a/<id>`); the dashboard verifies
 * the token on every use, so a row alone grants nothing once the token has expired.
 */
export const sql = /* sql */ `
CREATE TABLE ack_links (
  id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9]{8,32}$'),
  token       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ack_links_expiry ON ack_links(expires_at);
-- the calendar rules look up active alarms by type
CREATE INDEX alarms_active_type ON alarms(type) WHERE status <> 'closed';
CREATE INDEX notifications_phone ON notifications(recipient_phone, status);
`;
