/**
 * The supervisors' workbench (dashboard issue #15).
 * - Role `maintenance` (维保单位): a user bound to a maintenance company sees the elevators that company maintains.
 * - users.password_changed_at: when the password last changed (sessions issued before are revoked by the dashboard).
 * - maintenance_records (a record resets the 15-day rule, TSG T5002) and inspection_records (定期检验).
 * - kitchens.unit_id: a canteen run by a using unit belongs to that unit's scope (nullable: most kitchens are
 *   restaurants of their own).
 * - units.updated_at (devices have theirs): the dashboard's live board re-reads the registry only when it changed.
 * - Indexes for the dashboard's scoped list queries.
 */
export const sql = /* sql */ `
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'inspector', 'unit', 'maintenance'));
ALTER TABLE users ADD COLUMN maintenance_company_id text REFERENCES maintenance_companies(id);
ALTER TABLE users ADD CONSTRAINT users_maintenance_company_check CHECK (role <> 'maintenance' OR maintenance_company_id IS NOT NULL);
ALTER TABLE users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX users_district ON users(district_id);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE maintenance_records (
  id            bigserial PRIMARY KEY,
  device_id     text NOT NULL REFERENCES devices(id),
  done_on       date NOT NULL,
  company_id    text REFERENCES maintenance_companies(id),
  technician    text NOT NULL,
  -- the items checked, e.g. ["曳引机", "门锁回路"]
  items         jsonb NOT NULL DEFAULT '[]'::jsonb,
  note          text NOT NULL DEFAULT '',
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_records_device ON maintenance_records(device_id, done_on DESC, id DESC);

CREATE TABLE inspection_records (
  id            bigserial PRIMARY KEY,
  device_id     text NOT NULL REFERENCES devices(id),
  inspected_on  date NOT NULL,
  result        text NOT NULL CHECK (result IN ('pass', 'conditional', 'fail')),
  next_due      date,
  report_no     text NOT NULL DEFAULT '',
  note          text NOT NULL DEFAULT '',
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspection_records_device ON inspection_records(device_id, inspected_on DESC, id DESC);

-- the dashboard's board re-reads the registry only when something changed (count and latest change per table)
ALTER TABLE units ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE kitchens ADD COLUMN unit_id text REFERENCES units(id);
CREATE INDEX kitchens_unit ON kitchens(unit_id);

CREATE INDEX districts_parent ON districts(parent_id);
CREATE INDEX devices_maintenance_company ON devices(maintenance_company_id);
-- a device's alarm history, newest first
CREATE INDEX alarms_subject ON alarms(subject_id, id DESC);
CREATE INDEX notifications_alarm ON notifications(alarm_id, id);
`;
