/**
 * The alarm centre (dashboard issue #16).
 * - alarms.assignee_id: who in the unit (or company) handles it; alarms.arrived_*: the maintenance company said
 *   "on site" from its SMS link (the 96333 30-minute arrival rate counts from first_seen_at to arrived_at);
 *   alarms.verified_*: the inspector accepted the rectification; alarms.rework_count: fixes sent back.
 * - alarm_comments, alarm_photos (rectification evidence, content-addressed by SHA-256 under the data dir),
 *   alarm_verifications (every accept/reject with the reason: a rejected fix leaves a trace).
 * - notifications: status 'delivered' (the provider's delivery receipt), delivered_at, receipt_error.
 * - Indexes for the alarm centre's lists and statistics over millions of alarms.
 */
export const sql = /* sql */ `
ALTER TABLE alarms ADD COLUMN assignee_id text REFERENCES users(id);
ALTER TABLE alarms ADD COLUMN arrived_at timestamptz;
ALTER TABLE alarms ADD COLUMN arrived_by text;
ALTER TABLE alarms ADD COLUMN verified_at timestamptz;
ALTER TABLE alarms ADD COLUMN verified_by text;
ALTER TABLE alarms ADD COLUMN rework_count integer NOT NULL DEFAULT 0;

CREATE TABLE alarm_comments (
  id          bigserial PRIMARY KEY,
  alarm_id    bigint NOT NULL REFERENCES alarms(id),
  author      text NOT NULL,
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarm_comments_alarm ON alarm_comments(alarm_id, id);

CREATE TABLE alarm_photos (
  id            bigserial PRIMARY KEY,
  alarm_id      bigint NOT NULL REFERENCES alarms(id),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes         integer NOT NULL CHECK (bytes > 0),
  uploaded_by   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarm_photos_alarm ON alarm_photos(alarm_id, id);

CREATE TABLE alarm_verifications (
  id          bigserial PRIMARY KEY,
  alarm_id    bigint NOT NULL REFERENCES alarms(id),
  verdict     text NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
  reason      text NOT NULL DEFAULT '',
  by_user     text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarm_verifications_alarm ON alarm_verifications(alarm_id, id);

ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'merged', 'cancelled'));
ALTER TABLE notifications ADD COLUMN delivered_at timestamptz;
ALTER TABLE notifications ADD COLUMN receipt_error text;
-- receipts name the provider's message id
CREATE INDEX notifications_provider_message ON notifications(provider, provider_message_id) WHERE provider_message_id IS NOT NULL;

-- the alarm centre's list (newest first, by time range) and the statistics (per unit / type over a period)
CREATE INDEX alarms_first_seen ON alarms(first_seen_at DESC, id DESC);
CREATE INDEX alarms_unit_first_seen ON alarms(unit_id, first_seen_at);
CREATE INDEX alarms_subject_first_seen ON alarms(subject_id, first_seen_at);
CREATE INDEX alarms_open ON alarms(id DESC) WHERE status <> 'closed';
`;
