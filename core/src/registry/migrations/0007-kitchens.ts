/**
 * Bright kitchens (dashboard issue #17).
 * - inspector_relations: an inspector's declared relation to a kitchen (relative, former employer, …): a conflict
 *   of interest that excludes the inspector from checking it in a 双随机 draw.
 * - random_draws: one 双随机 draw with its canonical inputs, their SHA-256, the seed and the result, so that
 *   anyone holding the inputs and seed re-runs it (docs/dashboard.md "Bright kitchens"); published_at = 一公开.
 * - spot_checks: one task per drawn kitchen (its inspectors), later its online inspection record.
 * - camera_viewings: who watched which kitchen's camera, from when, last renewed, ended (the viewing audit).
 * 0001 declared random_draws and spot_checks before anything used them (nothing ever wrote them: one inspector
 * per check, no inputs hash); they are replaced here, and the migration refuses to drop either if it holds rows.
 */
export const sql = /* sql */ `
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM spot_checks) OR EXISTS (SELECT 1 FROM random_draws) THEN
    RAISE EXCEPTION 'spot_checks or random_draws hold rows: migrate them by hand before 0007-kitchens';
  END IF;
END;
$$;
DROP TABLE spot_checks;
DROP TABLE random_draws;
CREATE TABLE inspector_relations (
  user_id     text NOT NULL REFERENCES users(id),
  kitchen_id  text NOT NULL REFERENCES kitchens(id),
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, kitchen_id)
);
CREATE INDEX inspector_relations_kitchen ON inspector_relations(kitchen_id);

CREATE TABLE random_draws (
  id            bigserial PRIMARY KEY,
  -- the district node the draw was made for (its kitchens and inspectors come from its tree); null = everywhere
  district_id   text REFERENCES districts(id),
  period        text NOT NULL,
  algorithm     text NOT NULL,
  seed          text NOT NULL,
  -- the canonical inputs exactly as hashed (kitchens, inspectors, conflicts, count, weights)
  inputs        jsonb NOT NULL,
  inputs_hash   text NOT NULL,
  result        jsonb NOT NULL,
  result_hash   text NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
);
CREATE INDEX random_draws_district ON random_draws(district_id, id DESC);

CREATE TABLE spot_checks (
  id            bigserial PRIMARY KEY,
  draw_id       bigint NOT NULL REFERENCES random_draws(id),
  kitchen_id    text NOT NULL REFERENCES kitchens(id),
  inspector_ids jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'assigned' CHECK (status IN ('assigned', 'recorded', 'rectifying', 'closed')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- the online inspection record: checklist items [{key, pass, snapshotIds, evidence: [{snapshotId, sha256}]}]
  items         jsonb,
  result        text CHECK (result IN ('pass', 'fail')),
  notes         text NOT NULL DEFAULT '',
  recorded_by   text REFERENCES users(id),
  recorded_at   timestamptz,
  -- SHA-256 of the record's canonical JSON (also in the append-only audit log: a later edit shows)
  record_hash   text,
  UNIQUE (draw_id, kitchen_id)
);
CREATE INDEX spot_checks_kitchen ON spot_checks(kitchen_id, id DESC);

CREATE TABLE camera_viewings (
  id            bigserial PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id),
  camera_id     text NOT NULL REFERENCES cameras(id),
  kitchen_id    text NOT NULL REFERENCES kitchens(id),
  started_at    timestamptz NOT NULL DEFAULT now(),
  -- pushed forward by every renewal of the play URLs: a viewing whose browser vanished ended about here
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz
);
CREATE INDEX camera_viewings_kitchen ON camera_viewings(kitchen_id, id DESC);
CREATE INDEX camera_viewings_user ON camera_viewings(user_id, id DESC);
`;
