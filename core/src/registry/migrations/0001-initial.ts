/** The initial registry schema. Never edit a released migration: add a new file. */
export const sql = /* sql */ `
CREATE TABLE districts (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('district', 'grid')),
  parent_id   text REFERENCES districts(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- 使用单位: the organisation that runs the equipment (building owner, hospital, mall, factory).
CREATE TABLE units (
  id                    text PRIMARY KEY,
  -- 统一社会信用代码: 18 characters, the GB 32100 alphabet (no I, O, Z, S, V)
  credit_code           text NOT NULL UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
  name                  text NOT NULL,
  address               text NOT NULL DEFAULT '',
  district_id           text NOT NULL REFERENCES districts(id),
  safety_officer_name   text NOT NULL,
  safety_officer_phone  text NOT NULL,
  principal_name        text NOT NULL,
  principal_phone       text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_district ON units(district_id);

CREATE TABLE maintenance_companies (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  credit_code      text UNIQUE,
  contact_name     text NOT NULL DEFAULT '',
  contact_phone    text NOT NULL DEFAULT '',
  emergency_phone  text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  id                      text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{3,40}$'),
  kind                    text NOT NULL CHECK (kind IN ('elevator', 'boiler')),
  -- elevator: the 20-digit registration code (注册代码); boiler: its registration number
  registration_code       text NOT NULL UNIQUE,
  name                    text NOT NULL,
  location                text NOT NULL DEFAULT '',
  unit_id                 text NOT NULL REFERENCES units(id),
  maintenance_company_id  text REFERENCES maintenance_companies(id),
  model                   text NOT NULL DEFAULT '',
  -- rated parameters: elevator {ratedSpeed m/s, ratedLoad kg, floors}; boiler {ratedPressure MPa, ratedCapacity t/h, safetyValveSet MPa}
  rated                   jsonb NOT NULL DEFAULT '{}'::jsonb,
  telemetry_interval_s    integer NOT NULL DEFAULT 10 CHECK (telemetry_interval_s BETWEEN 1 AND 86400),
  last_maintenance_on     date,
  inspection_valid_until  date,
  credential_hash         text,
  credential_rotated_at   timestamptz,
  enabled                 boolean NOT NULL DEFAULT true,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'elevator' OR registration_code ~ '^[0-9]{20}$')
);
CREATE INDEX devices_unit ON devices(unit_id);

-- 餐饮单位 with bright-kitchen cameras
CREATE TABLE kitchens (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  licence_no      text NOT NULL UNIQUE,
  address         text NOT NULL DEFAULT '',
  district_id     text NOT NULL REFERENCES districts(id),
  risk_class      text NOT NULL DEFAULT 'B' CHECK (risk_class IN ('A', 'B', 'C', 'D')),
  contact_name    text NOT NULL DEFAULT '',
  contact_phone   text NOT NULL DEFAULT '',
  -- local opening hours "HH:MM-HH:MM"; a camera offline within them is a violation
  business_hours  text NOT NULL DEFAULT '09:00-22:00',
  public_viewing  boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kitchens_district ON kitchens(district_id);

CREATE TABLE cameras (
  id                       text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{3,40}$'),
  kitchen_id               text NOT NULL REFERENCES kitchens(id),
  area                     text NOT NULL CHECK (area IN ('cold_dish', 'raw', 'cooking', 'dishwashing', 'storage', 'other')),
  name                     text NOT NULL DEFAULT '',
  mode                     text NOT NULL CHECK (mode IN ('push', 'pull')),
  -- pull cameras: RTSP URL (may hold a password), sealed with the platform key; never sent to a browser
  source_url_sealed        text,
  -- push cameras: hash of the publish secret
  publish_credential_hash  text,
  recording_enabled        boolean NOT NULL DEFAULT true,
  -- optional "HH:MM-HH:MM" window for recording; null = all day
  recording_hours          text,
  enabled                  boolean NOT NULL DEFAULT true,
  created_at               timestamptz NOT NULL DEFAULT now(),
  CHECK (mode <> 'pull' OR source_url_sealed IS NOT NULL)
);
CREATE INDEX cameras_kitchen ON cameras(kitchen_id);

CREATE TABLE users (
  id             text PRIMARY KEY,
  username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,40}$'),
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'inspector', 'unit')),
  password_hash  text NOT NULL,
  phone          text,
  district_id    text REFERENCES districts(id),
  unit_id        text REFERENCES units(id),
  enabled        boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz,
  CHECK (role <> 'unit' OR unit_id IS NOT NULL)
);

CREATE TABLE alarms (
  id                  bigserial PRIMARY KEY,
  subject_type        text NOT NULL CHECK (subject_type IN ('device', 'camera')),
  subject_id          text NOT NULL,
  unit_id             text REFERENCES units(id),
  kitchen_id          text REFERENCES kitchens(id),
  -- rule key, e.g. "fault:11", "overspeed", "silence", "maintenance_overdue"
  type                text NOT NULL,
  severity            text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'rectified', 'closed')),
  -- how a closed alarm ended
  outcome             text CHECK (outcome IN ('resolved', 'auto_cleared', 'false_alarm')),
  title               text NOT NULL,
  detail              jsonb NOT NULL DEFAULT '{}'::jsonb,
  rule_version        integer NOT NULL DEFAULT 1,
  count               integer NOT NULL DEFAULT 1,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  -- the condition itself went away (the alarm may still wait for rectification)
  condition_cleared_at timestamptz,
  acknowledged_at     timestamptz,
  acknowledged_by     text,
  acknowledged_via    text,
  rectified_at        timestamptz,
  rectified_by        text,
  rectification_note  text,
  closed_at           timestamptz,
  closed_by           text,
  closed_via          text,
  created_at          timestamptz NOT NULL DEFAULT now()
);
-- one active alarm per subject and type: a repeat updates it, never duplicates it
CREATE UNIQUE INDEX alarms_one_active ON alarms(subject_id, type) WHERE status <> 'closed';
CREATE INDEX alarms_status ON alarms(status, last_seen_at DESC);
CREATE INDEX alarms_unit ON alarms(unit_id, created_at DESC);

CREATE TABLE notifications (
  id                   bigserial PRIMARY KEY,
  alarm_id             bigint REFERENCES alarms(id),
  -- escalation stage: officer, principal, inspector, maintenance, …
  stage                text NOT NULL,
  recipient_name       text NOT NULL DEFAULT '',
  recipient_phone      text NOT NULL,
  channel              text NOT NULL DEFAULT 'sms',
  provider             text,
  template             text NOT NULL,
  params               jsonb NOT NULL DEFAULT '{}'::jsonb,
  body                 text NOT NULL DEFAULT '',
  locale               text NOT NULL DEFAULT 'zh-CN',
  status               text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'merged', 'cancelled')),
  provider_message_id  text,
  error                text,
  attempts             integer NOT NULL DEFAULT 0,
  merged_into          bigint REFERENCES notifications(id),
  created_at           timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz
);
-- each (alarm, stage, recipient) is sent at most once
CREATE UNIQUE INDEX notifications_once ON notifications(alarm_id, stage, recipient_phone) WHERE alarm_id IS NOT NULL;
CREATE INDEX notifications_status ON notifications(status, created_at);

CREATE TABLE snapshots (
  id          bigserial PRIMARY KEY,
  camera_id   text NOT NULL REFERENCES cameras(id),
  taken_at    timestamptz NOT NULL,
  taken_by    text,
  path        text NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes       integer NOT NULL,
  width       integer,
  height      integer
);
CREATE INDEX snapshots_camera ON snapshots(camera_id, taken_at DESC);

-- 线上抽检: an inspector's online spot-check of a kitchen
CREATE TABLE spot_checks (
  id            bigserial PRIMARY KEY,
  kitchen_id    text NOT NULL REFERENCES kitchens(id),
  camera_id     text REFERENCES cameras(id),
  inspector_id  text NOT NULL REFERENCES users(id),
  draw_id       bigint,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  result        text CHECK (result IN ('pass', 'violation', 'camera_offline')),
  violations    jsonb NOT NULL DEFAULT '[]'::jsonb,
  note          text NOT NULL DEFAULT '',
  snapshot_id   bigint REFERENCES snapshots(id),
  -- 责令改正通知书 number when a violation was found
  notice_no     text
);
CREATE INDEX spot_checks_kitchen ON spot_checks(kitchen_id, started_at DESC);

-- 双随机: reproducible, auditable random draws
CREATE TABLE random_draws (
  id                 bigserial PRIMARY KEY,
  drawn_by           text NOT NULL REFERENCES users(id),
  drawn_at           timestamptz NOT NULL DEFAULT now(),
  seed               text NOT NULL,
  source             text NOT NULL,
  ratio              numeric NOT NULL CHECK (ratio > 0 AND ratio <= 1),
  population         jsonb NOT NULL,
  selected           jsonb NOT NULL,
  inspectors         jsonb NOT NULL,
  excluded           jsonb NOT NULL DEFAULT '[]'::jsonb,
  published_at       timestamptz
);

-- Append-only audit log: every alarm transition, login, credential change, draw.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  actor_type    text NOT NULL CHECK (actor_type IN ('user', 'contact', 'system', 'device')),
  action        text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text NOT NULL,
  via           text NOT NULL CHECK (via IN ('dashboard', 'sms_link', 'automatic', 'api', 'cli')),
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_subject ON audit_log(subject_type, subject_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
`;
