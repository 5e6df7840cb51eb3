import type { Logger } from '@tianwang/core/log';
import type { Queryable } from '@tianwang/core/registry';
import { ALARM_FROM, ALARM_SELECT, toAlarmRow, type AlarmRowT } from '../api/alarms/query.js';
import type { Scope } from '../auth/scope.js';
import type { Fanout } from './fanout.js';

/** What the in-memory scope test needs of an alarm (the same rule as scopeSql.alarms). */
export interface AlarmScopeFacts {
  subjectType: string;
  kind: string;
  unitId: string | null;
  districtId: string | null;
  maintenanceCompanyId: string | null;
  kitchenUnitId: string | null;
}

export function alarmInScopeMem(scope: Scope, a: AlarmScopeFacts): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'districts':
      return !!a.districtId && scope.districts.has(a.districtId);
    case 'unit':
      return a.subjectType === 'camera' ? a.kitchenUnitId === scope.unitId : a.unitId === scope.unitId;
    case 'company':
      return a.subjectType === 'device' && a.kind === 'elevator' && a.maintenanceCompanyId === scope.companyId;
    case 'none':
      return false;
  }
}

/**
 * Live alarms: the alerts service raises and the SMS links change alarms in other processes, and every transition
 * is one audit_log row written with it (alerts' alarm service). The feed reads the audit rows newer than the last
 * it saw (one indexed query per second per dashboard process, whatever the number of browsers) and sends each
 * changed alarm as an SSE `alarm` event, as the alarm centre lists it, to the clients whose scope holds it.
 */
export function createAlarmFeed(o: { db: Queryable; fanout: Fanout; log: Logger; everyMs?: number }) {
  let last: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function poll(): Promise<number> {
    if (last === undefined) {
      const [r] = await o.db.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM audit_log`);
      last = Number(r?.id ?? 0);
      return 0;
    }
    const rows = await o.db.query<{ id: string; subject_id: string }>(`SELECT id::text AS id, subject_id FROM audit_log WHERE id > $1 AND subject_type = 'alarm' ORDER BY id LIMIT 1000`, [last]);
    const [top] = await o.db.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM audit_log`);
    last = Math.max(last, Number(top?.id ?? last), ...rows.map((r) => Number(r.id)));
    const ids = [...new Set(rows.map((r) => Number(r.subject_id)).filter(Number.isFinite))];
    if (!ids.length || !o.fanout.clients) return 0;
    const alarms = await o.db.query<Record<string, unknown>>(`SELECT ${ALARM_SELECT}, k.unit_id AS kitchen_unit_id ${ALARM_FROM} WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`, [ids]);
    const items = alarms.map((r) => ({ row: toAlarmRow(r), kitchenUnitId: (r.kitchen_unit_id as string | null) ?? null }));
    o.fanout.sendEach('alarm', items.map((i) => i.row), (scope, idx) => {
      const i = items[idx]!;
      return alarmInScopeMem(scope, { ...i.row, kitchenUnitId: i.kitchenUnitId } satisfies AlarmScopeFacts & AlarmRowT);
    });
    return items.length;
  }

  return {
    poll,
    start(): void {
      const tick = () => {
        running = poll()
          .then(() => undefined, (err: unknown) => o.log.warn({ err }, 'alarm feed poll failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, o.everyMs ?? 1000);
          });
      };
      timer = setTimeout(tick, 0);
    },
    async stop(): Promise<void> {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running;
    },
  };
}
