/**
 * Where an alarm is (issue #16, the two list shapes that missed p99 < 100 ms over 1,000,000 alarms:
 * docs/benchmarks.md "Alarm centre"): its unit, district node and kind, copied onto the alarm so that the alarm
 * centre's unit, district and kind filters are one index each instead of a join to the device (a semi-join made
 * the page fast but left the capped count a parallel seq scan; `= ANY(ARRAY(…))` the reverse).
 * - The rule is the scope's (dashboard/src/auth/sql-scope.ts `alarms`): a device alarm is placed by its device's
 *   unit and that unit's district; a camera alarm by the camera's kitchen (its `unit_id`, the unit running a
 *   canteen, and its `district_id`).
 * - Kept current by the registry itself: filled on insert, and rewritten when a device changes unit, a unit changes
 *   district, a kitchen changes unit or district, or a camera changes kitchen, so an alarm always lists where its
 *   subject is now, as the list's joins show it (dashboard/test/alarm-placement.test.ts).
 * - The scope of an inspector or a unit user becomes a condition on these columns too (dashboard/src/auth/sql-scope.ts),
 *   instead of a hashed list of every device in scope built for every statement.
 * - alarms_unit_page (unit_id, id DESC) and alarms_district_page (district_id, kind, id DESC) walk one unit's or one
 *   grid's alarms newest first and stop at a page, or at the count's cap; alarms_district_time (district_id,
 *   first_seen_at) reads a district's period (a count over the last 90 days, the monthly statistics).
 */
export const sql = /* sql */ `
ALTER TABLE alarms ADD COLUMN district_id text;
ALTER TABLE alarms ADD COLUMN kind text CHECK (kind IN ('elevator', 'boiler', 'camera'));

UPDATE alarms a SET unit_id = d.unit_id, kind = d.kind FROM devices d WHERE a.subject_type = 'device' AND d.id = a.subject_id;
UPDATE alarms a SET district_id = u.district_id FROM units u WHERE a.subject_type = 'device' AND u.id = a.unit_id;
UPDATE alarms a SET unit_id = k.unit_id, district_id = k.district_id FROM cameras c JOIN kitchens k ON k.id = c.kitchen_id
  WHERE a.subject_type = 'camera' AND c.id = a.subject_id;
UPDATE alarms SET kind = 'camera' WHERE subject_type = 'camera';

-- a new alarm (or the row an upsert proposes) takes its subject's place; an unknown subject keeps the unit it was given
CREATE FUNCTION alarms_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  IF NEW.subject_type = 'device' THEN
    SELECT d.unit_id, d.kind INTO r FROM devices d WHERE d.id = NEW.subject_id;
    IF FOUND THEN NEW.unit_id := r.unit_id; NEW.kind := r.kind; END IF;
    NEW.district_id := (SELECT u.district_id FROM units u WHERE u.id = NEW.unit_id);
  ELSE
    NEW.kind := 'camera';
    SELECT k.unit_id, k.district_id INTO r FROM cameras c JOIN kitchens k ON k.id = c.kitchen_id WHERE c.id = NEW.subject_id;
    IF FOUND THEN NEW.unit_id := r.unit_id; NEW.district_id := r.district_id; END IF;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER alarms_place BEFORE INSERT ON alarms FOR EACH ROW EXECUTE FUNCTION alarms_place();

CREATE FUNCTION alarms_follow_device() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE alarms SET unit_id = NEW.unit_id, kind = NEW.kind, district_id = (SELECT u.district_id FROM units u WHERE u.id = NEW.unit_id)
    WHERE subject_type = 'device' AND subject_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER devices_place_alarms AFTER INSERT ON devices FOR EACH ROW EXECUTE FUNCTION alarms_follow_device();
CREATE TRIGGER devices_move_alarms AFTER UPDATE OF unit_id, kind ON devices FOR EACH ROW
  WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION alarms_follow_device();

CREATE FUNCTION alarms_follow_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE alarms SET district_id = NEW.district_id WHERE subject_type = 'device' AND unit_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER units_move_alarms AFTER UPDATE OF district_id ON units FOR EACH ROW
  WHEN (OLD.district_id IS DISTINCT FROM NEW.district_id) EXECUTE FUNCTION alarms_follow_unit();

CREATE FUNCTION alarms_follow_kitchen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE alarms SET unit_id = NEW.unit_id, district_id = NEW.district_id
    WHERE subject_type = 'camera' AND subject_id IN (SELECT c.id FROM cameras c WHERE c.kitchen_id = NEW.id);
  RETURN NULL;
END;
$$;
CREATE TRIGGER kitchens_move_alarms AFTER UPDATE OF unit_id, district_id ON kitchens FOR EACH ROW
  WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.district_id IS DISTINCT FROM NEW.district_id) EXECUTE FUNCTION alarms_follow_kitchen();

CREATE FUNCTION alarms_follow_camera() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE alarms a SET unit_id = k.unit_id, district_id = k.district_id FROM kitchens k
    WHERE a.subject_type = 'camera' AND a.subject_id = NEW.id AND k.id = NEW.kitchen_id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER cameras_place_alarms AFTER INSERT ON cameras FOR EACH ROW EXECUTE FUNCTION alarms_follow_camera();
CREATE TRIGGER cameras_move_alarms AFTER UPDATE OF kitchen_id ON cameras FOR EACH ROW
  WHEN (OLD.kitchen_id IS DISTINCT FROM NEW.kitchen_id) EXECUTE FUNCTION alarms_follow_camera();

CREATE INDEX alarms_unit_page ON alarms(unit_id, id DESC);
CREATE INDEX alarms_district_page ON alarms(district_id, kind, id DESC);
CREATE INDEX alarms_district_time ON alarms(district_id, first_seen_at);
`;
