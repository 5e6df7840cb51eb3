/**
 * Bright kitchens, part 2 (dashboard issue #17).
 * - spot_checks: status 'replied' (the restaurant answered a rectification notice, the inspector decides next);
 *   recheck_due: the date the inspector re-checks by (shown in the inspector's list); closed_at/closed_by.
 * - rectification_rounds: one per notice: round 1 after a failed record, a further one each time the inspector
 *   sends the reply back; the notice (notifications row), its link, the reply (note, when, who) and the verdict.
 * - rectification_photos: the restaurant's photos of a round, content-addressed by SHA-256 under the data dir.
 * - kitchens.public_code: the short code of the public kitchen page (/k/<code>, printed as a QR code on the door
 *   and the delivery listing); random, so that it says nothing about the registry's ids.
 */
export const sql = /* sql */ `
ALTER TABLE spot_checks DROP CONSTRAINT spot_checks_status_check;
ALTER TABLE spot_checks ADD CONSTRAINT spot_checks_status_check CHECK (status IN ('assigned', 'recorded', 'rectifying', 'replied', 'closed'));
ALTER TABLE spot_checks ADD COLUMN recheck_due date;
ALTER TABLE spot_checks ADD COLUMN closed_at timestamptz;
ALTER TABLE spot_checks ADD COLUMN closed_by text REFERENCES users(id);
CREATE INDEX spot_checks_recheck ON spot_checks(recheck_due) WHERE status IN ('rectifying', 'replied');

CREATE TABLE rectification_rounds (
  spot_check_id    bigint NOT NULL REFERENCES spot_checks(id),
  round            integer NOT NULL CHECK (round >= 1),
  due_on           date NOT NULL,
  -- round 1: the failed items; later rounds: why the inspector sent the reply back
  reason           text NOT NULL DEFAULT '',
  -- the SMS (null when the kitchen has no contact phone) and the reply link's id (ack_links)
  notification_id  bigint REFERENCES notifications(id),
  link_id          text,
  created_by       text NOT NULL REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  reply_note       text,
  replied_at       timestamptz,
  replied_by       text,
  verdict          text CHECK (verdict IN ('accepted', 'returned')),
  verdict_by       text REFERENCES users(id),
  verdict_at       timestamptz,
  verdict_note     text NOT NULL DEFAULT '',
  PRIMARY KEY (spot_check_id, round)
);

CREATE TABLE rectification_photos (
  id             bigserial PRIMARY KEY,
  spot_check_id  bigint NOT NULL,
  round          integer NOT NULL,
  sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type   text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes          integer NOT NULL CHECK (bytes > 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (spot_check_id, round) REFERENCES rectification_rounds(spot_check_id, round)
);
CREATE INDEX rectification_photos_round ON rectification_photos(spot_check_id, round, id);

ALTER TABLE kitchens ADD COLUMN public_code text;
UPDATE kitchens SET public_code = substr(md5(random()::text || id || clock_timestamp()::text), 1, 8);
ALTER TABLE kitchens ALTER COLUMN public_code SET NOT NULL;
ALTER TABLE kitchens ALTER COLUMN public_code SET DEFAULT substr(md5(random()::text || clock_timestamp()::text), 1, 8);
CREATE UNIQUE INDEX kitchens_public_code ON kitchens(public_code);
`;
