import type { Scope } from './scope.js';

/** Numbered query parameters collected while a statement is built. */
export class SqlParams {
  readonly values: unknown[] = [];
  /** adds a value, answers its placeholder ($n) */
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * What one kind of record answers for each kind of scope, given the placeholder of the scope's value (the district
 * ids as a text[], the unit id, the company id). A kind of scope a table leaves out sees none of its rows.
 */
interface Fragments {
  districts?: (ids: string) => string;
  unit?: (unitId: string) => string;
  company?: (companyId: string) => string;
}

/** The one rule every table shares: admins see all, a user without a scope nothing; the rest is the table's. */
function condition(scope: Scope, p: SqlParams, f: Fragments): string {
  switch (scope.kind) {
    case 'all':
      return 'TRUE';
    case 'districts':
      return f.districts ? f.districts(p.add(scope.districtIds)) : 'FALSE';
    case 'unit':
      return f.unit ? f.unit(p.add(scope.unitId)) : 'FALSE';
    case 'company':
      return f.company ? f.company(p.add(scope.companyId)) : 'FALSE';
    case 'none':
      return 'FALSE';
  }
}

/** `column` is one of the district ids */
const inDistricts = (column: string) => (ids: string) => `${column} = ANY(${ids}::text[])`;
/** the elevators `sd` a maintenance company maintains */
const companyElevators = (companyId: string) => `sd.kind = 'elevator' AND sd.maintenance_company_id = ${companyId}`;

/**
 * The scope as SQL conditions, one per kind of record, so that every list and every lookup by id filters by
 * the same rule as the live board (scope.ts deviceInScope). Each takes the table aliases of its query.
 */
export const scopeSql = {
  /** devices `d` joined with their units `u` */
  devices: (scope: Scope, p: SqlParams, d = 'd', u = 'u'): string =>
    condition(scope, p, {
      districts: inDistricts(`${u}.district_id`),
      unit: (id) => `${d}.unit_id = ${id}`,
      company: (id) => `(${d}.kind = 'elevator' AND ${d}.maintenance_company_id = ${id})`,
    }),

  /** units `u`; a maintenance company sees the units of the elevators it maintains */
  units: (scope: Scope, p: SqlParams, u = 'u'): string =>
    condition(scope, p, {
      districts: inDistricts(`${u}.district_id`),
      unit: (id) => `${u}.id = ${id}`,
      company: (id) => `${u}.id IN (SELECT sd.unit_id FROM devices sd WHERE ${companyElevators(id)})`,
    }),

  /** kitchens `k`: by district, or the kitchens a unit runs; maintenance companies have none */
  kitchens: (scope: Scope, p: SqlParams, k = 'k'): string =>
    condition(scope, p, { districts: inDistricts(`${k}.district_id`), unit: (id) => `${k}.unit_id = ${id}` }),

  /**
   * alarms `a`: a device alarm follows its device, a camera alarm its kitchen. The alarm carries that place
   * (`unit_id`, `district_id`: migration 0010-alarm-placement, kept current by the registry when a subject moves),
   * so the scope is a condition on the alarm alone, not a hashed list of every device in scope built per statement.
   * A maintenance company's elevators are still looked up: the company is not copied onto the alarm.
   */
  alarms: (scope: Scope, p: SqlParams, a = 'a'): string =>
    condition(scope, p, {
      districts: inDistricts(`${a}.district_id`),
      unit: (id) => `${a}.unit_id = ${id}`,
      company: (id) => `(${a}.subject_type = 'device' AND ${a}.subject_id IN (SELECT sd.id FROM devices sd WHERE ${companyElevators(id)}))`,
    }),

  /**
   * scopeSql.alarms written twice over one parameter: `indexed` as above, and `rowCheck`, where an inspector's tree
   * is an expression no index serves (`COALESCE(district_id, '')`, the same rows). For a count whose filter already
   * names a unit or a device: the planner otherwise ANDs in a bitmap of the whole tree (over 1,000,000 alarms
   * 347,000 entries, 108 ms of one unit's 118-ms count) where testing the unit's alarms one by one costs nothing. The
   * page keeps `indexed`: its plan walks the unit's index newest first and stops at 50 rows either way, and the
   * expression's default selectivity (0.5 %) would make the planner sort all of the unit's alarms instead.
   */
  alarmsTwice(scope: Scope, p: SqlParams, a = 'a'): { indexed: string; rowCheck: string } {
    if (scope.kind !== 'districts') {
      const c = scopeSql.alarms(scope, p, a);
      return { indexed: c, rowCheck: c };
    }
    const ids = p.add(scope.districtIds);
    return { indexed: `${a}.district_id = ANY(${ids}::text[])`, rowCheck: `COALESCE(${a}.district_id, '') = ANY(${ids}::text[])` };
  },

  /** maintenance companies `m`: those maintaining a device in scope (a company user: its own) */
  companies(scope: Scope, p: SqlParams, m = 'm'): string {
    if (scope.kind === 'districts' || scope.kind === 'unit')
      return `${m}.id IN (SELECT sd.maintenance_company_id FROM devices sd JOIN units su ON su.id = sd.unit_id WHERE ${scopeSql.devices(scope, p, 'sd', 'su')})`;
    return condition(scope, p, { company: (id) => `${m}.id = ${id}` });
  },

  /** users `usr`: an inspector reads the users of its district tree and of the units in it */
  users: (scope: Scope, p: SqlParams, usr = 'usr'): string =>
    condition(scope, p, {
      districts: (ids) => `(${usr}.district_id = ANY(${ids}::text[]) OR ${usr}.unit_id IN (SELECT su.id FROM units su WHERE su.district_id = ANY(${ids}::text[])))`,
    }),

  /** districts `dt`: an inspector's tree; a unit's district; the districts of a company's elevators */
  districts: (scope: Scope, p: SqlParams, dt = 'dt'): string =>
    condition(scope, p, {
      districts: (ids) => `${dt}.id = ANY(${ids}::text[])`,
      unit: (id) => `${dt}.id IN (SELECT su.district_id FROM units su WHERE su.id = ${id})`,
      company: (id) => `${dt}.id IN (SELECT su.district_id FROM units su JOIN devices sd ON sd.unit_id = su.id WHERE ${companyElevators(id)})`,
    }),

  /** 双随机 draws `rd`: those made for a district node in an inspector's tree; a draw for everywhere (null) is the admins' */
  draws: (scope: Scope, p: SqlParams, rd = 'rd'): string => condition(scope, p, { districts: inDistricts(`${rd}.district_id`) }),
};
