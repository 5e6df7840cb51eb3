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
 * The scope as SQL conditions, one per kind of record, so that every list and every lookup by id filters by
 * the same rule as the live board (scope.ts deviceInScope). Each takes the table aliases of its query.
 */
export const scopeSql = {
  /** devices `d` joined with their units `u` */
  devices(scope: Scope, p: SqlParams, d = 'd', u = 'u'): string {
    switch (scope.kind) {
      case 'all':
        return 'TRUE';
      case 'districts':
        return `${u}.district_id = ANY(${p.add(scope.districtIds)}::text[])`;
      case 'unit':
        return `${d}.unit_id = ${p.add(scope.unitId)}`;
      case 'company':
        return `(${d}.kind = 'elevator' AND ${d}.maintenance_company_id = ${p.add(scope.companyId)})`;
      case 'none':
        return 'FALSE';
    }
  },

  /** units `u`; a maintenance company sees the units of the elevators it maintains */
  units(scope: Scope, p: SqlParams, u = 'u'): string {
    switch (scope.kind) {
      case 'all':
        return 'TRUE';
      case 'districts':
        return `${u}.district_id = ANY(${p.add(scope.districtIds)}::text[])`;
      case 'unit':
        return `${u}.id = ${p.add(scope.unitId)}`;
      case 'company':
        return `${u}.id IN (SELECT sd.unit_id FROM devices sd WHERE sd.kind = 'elevator' AND sd.maintenance_company_id = ${p.add(scope.companyId)})`;
      case 'none':
        return 'FALSE';
    }
  },

  /** kitchens `k`: by district, or the kitchens a unit runs; maintenance companies have none */
  kitchens(scope: Scope, p: SqlParams, k = 'k'): string {
    switch (scope.kind) {
      case 'all':
        return 'TRUE';
      case 'districts':
        return `${k}.district_id = ANY(${p.add(scope.districtIds)}::text[])`;
      case 'unit':
        return `${k}.unit_id = ${p.add(scope.unitId)}`;
      case 'company':
      case 'none':
        return 'FALSE';
    }
  },

  /** alarms `a`: a device alarm follows its device, a camera alarm its kitchen */
  alarms(scope: Scope, p: SqlParams, a = 'a'): string {
    if (scope.kind === 'all') return 'TRUE';
    if (scope.kind === 'none') return 'FALSE';
    const devices = `SELECT sd.id FROM devices sd JOIN units su ON su.id = sd.unit_id WHERE ${scopeSql.devices(scope, p, 'sd', 'su')}`;
    const cameras = `SELECT sc.id FROM cameras sc JOIN kitchens sk ON sk.id = sc.kitchen_id WHERE ${scopeSql.kitchens(scope, p, 'sk')}`;
    return `((${a}.subject_type = 'device' AND ${a}.subject_id IN (${devices})) OR (${a}.subject_type = 'camera' AND ${a}.subject_id IN (${cameras})))`;
  },

  /** maintenance companies `m`: those maintaining a device in scope (a company user: its own) */
  companies(scope: Scope, p: SqlParams, m = 'm'): string {
    switch (scope.kind) {
      case 'all':
        return 'TRUE';
      case 'company':
        return `${m}.id = ${p.add(scope.companyId)}`;
      case 'none':
        return 'FALSE';
      default:
        return `${m}.id IN (SELECT sd.maintenance_company_id FROM devices sd JOIN units su ON su.id = sd.unit_id WHERE ${scopeSql.devices(scope, p, 'sd', 'su')})`;
    }
  },

  /** users `usr`: an inspector reads the users of its district tree and of the units in it */
  users(scope: Scope, p: SqlParams, usr = 'usr'): string {
    if (scope.kind === 'all') return 'TRUE';
    if (scope.kind !== 'districts') return 'FALSE';
    const ids = p.add(scope.districtIds);
    return `(${usr}.district_id = ANY(${ids}::text[]) OR ${usr}.unit_id IN (SELECT su.id FROM units su WHERE su.district_id = ANY(${ids}::text[])))`;
  },

  /** districts `dt`: an inspector's tree; a unit's district; the districts of a company's elevators */
  districts(scope: Scope, p: SqlParams, dt = 'dt'): string {
    switch (scope.kind) {
      case 'all':
        return 'TRUE';
      case 'districts':
        return `${dt}.id = ANY(${p.add(scope.districtIds)}::text[])`;
      case 'unit':
        return `${dt}.id IN (SELECT su.district_id FROM units su WHERE su.id = ${p.add(scope.unitId)})`;
      case 'company':
        return `${dt}.id IN (SELECT su.district_id FROM units su JOIN devices sd ON sd.unit_id = su.id WHERE sd.kind = 'elevator' AND sd.maintenance_company_id = ${p.add(scope.companyId)})`;
      case 'none':
        return 'FALSE';
    }
  },

  /** 双随机 draws `rd`: those made for a district node in an inspector's tree; a draw for everywhere (null) is the admins' */
  draws(scope: Scope, p: SqlParams, rd = 'rd'): string {
    if (scope.kind === 'all') return 'TRUE';
    if (scope.kind !== 'districts') return 'FALSE';
    return `${rd}.district_id = ANY(${p.add(scope.districtIds)}::text[])`;
  },
};
