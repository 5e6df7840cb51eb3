// explicit .js extensions: test/alarm-filters.test.ts imports this file under the server's node16 resolution
import type { District } from '@tianwang/core/registry';
import type { AlarmDetailT } from '../../../src/api/alarms/detail.js';
import type { AlarmRowT } from '../../../src/api/alarms/query.js';
import type { AlarmState as ServerState } from '../../../src/api/alarms/state.js';

/** An alarm as the centre lists it (`GET /alarms` item and the live `alarm` event): the server's own type. */
export type Alarm = AlarmRowT;
export type AlarmDetail = AlarmDetailT;
export type AlarmState = ServerState;
export type TimelineItem = AlarmDetail['timeline'][number];
export type AlarmPhoto = AlarmDetail['photos'][number];

export const ALARM_STATES: AlarmState[] = ['open', 'acknowledged', 'rectified', 'closed', 'false_alarm', 'auto_cleared'];
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;

/** `GET /alarms/counter`: active alarms in scope (the menu badge). */
export interface AlarmCounter {
  open: number;
  acknowledged: number;
  rectified: number;
  active: number;
  critical: number;
}

/** The alarm centre's filters, as the list view holds them. */
export interface AlarmFilters {
  state: AlarmState | '';
  severity: string;
  type: string;
  kind: string;
  unitId: string;
  districtId: string;
  companyId: string;
  /** first seen in [from, to) */
  range: [Date, Date] | null;
}

export const emptyAlarmFilters = (): AlarmFilters => ({ state: '', severity: '', type: '', kind: '', unitId: '', districtId: '', companyId: '', range: null });

/** The filters as the API's query (the list, its .xlsx export and the next pages share it); an http.ts `Query`. */
export function alarmQuery(f: AlarmFilters): Record<string, string | number | undefined> {
  return {
    state: f.state || undefined, severity: f.severity || undefined, type: f.type || undefined, kind: f.kind || undefined,
    unitId: f.unitId || undefined, districtId: f.districtId || undefined, companyId: f.companyId || undefined,
    from: f.range ? f.range[0].getTime() : undefined, to: f.range ? f.range[1].getTime() : undefined,
  };
}

/** A district node with every node under it (the server's rule for `districtId`: a district includes its grids). */
export function subtree(districts: readonly District[], id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of districts) if (d.parentId && out.has(d.parentId) && !out.has(d.id)) {
      out.add(d.id);
      grew = true;
    }
  }
  return out;
}

/**
 * Whether a live alarm belongs in the list under these filters: the same rules as the server's `alarmWhere`
 * (the scope is the server's business: the feed only sends alarms in scope).
 */
export function alarmMatches(a: Alarm, f: AlarmFilters, districts: readonly District[]): boolean {
  if (f.state && a.state !== f.state) return false;
  if (f.severity && a.severity !== f.severity) return false;
  if (f.type && a.type !== f.type) return false;
  if (f.kind && a.kind !== f.kind) return false;
  if (f.unitId && a.unitId !== f.unitId) return false;
  if (f.companyId && a.maintenanceCompanyId !== f.companyId) return false;
  if (f.districtId && !(a.districtId && subtree(districts, f.districtId).has(a.districtId))) return false;
  if (f.range) {
    const t = Date.parse(a.firstSeenAt);
    if (t < f.range[0].getTime() || t >= f.range[1].getTime()) return false;
  }
  return true;
}

/** "user:insp1" → "insp1"; an SMS recipient ("安全管理员 张安全 138****0001") stays as it is. */
export const actorName = (by: string | null | undefined): string => (by ? by.replace(/^user:/, '') : '—');
