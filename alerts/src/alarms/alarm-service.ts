import { alarmQueries, auditQueries, type Alarm, type AlarmOutcome, type Registry } from '@tianwang/core/registry';
import type { ActorType, AuditVia, Queryable } from '@tianwang/core/registry';
import type { Signal } from '../rules/types.js';

export interface AlarmSubject {
  type: 'device' | 'camera';
  id: string;
  unitId?: string | null;
  kitchenId?: string | null;
}

export interface Actor {
  /** who, as the audit log shows it: "安全管理员 张三 138****1234", "user:u-17", "system" */
  name: string;
  type: ActorType;
}

export type Recorded =
  | { action: 'raise'; alarm: Alarm; created: boolean }
  | { action: 'clear'; alarm: Alarm | undefined };

/** Called after a transition that ends the need for reminders (acknowledged, rectified, closed). */
export type StopHook = (alarm: Alarm, reason: 'acknowledged' | 'rectified' | 'closed' | 'auto_cleared') => Promise<void>;

/**
 * The alarm lifecycle with its audit trail: each transition and its audit entry are one transaction, so the log
 * can never disagree with the alarm. Transitions are conditional (see alarmQueries): racing workers or a double
 * click get `undefined` for the loser, never a second transition.
 */
/** Called after an inspector sent a rectification back: the unit is told again (a new SMS via the escalation queue). */
export type ReworkHook = (alarm: Alarm, reason: string) => Promise<void>;

export function createAlarmService(registry: Registry, onStop?: StopHook, onRework?: ReworkHook) {
  const tx = <T>(fn: (q: { alarms: ReturnType<typeof alarmQueries>; audit: ReturnType<typeof auditQueries>; db: Queryable }) => Promise<T>) =>
    registry.db.transaction((t) => fn({ alarms: alarmQueries(t), audit: auditQueries(t), db: t }));
  const system: Actor = { name: 'system', type: 'system' };

  return {
    /** Records a rule decision: raise (new alarm or repeat) or clear (the condition went away by itself). */
    async record(signal: Signal, subject: AlarmSubject, ruleVersion: number): Promise<Recorded> {
      const at = new Date(signal.at);
      if (signal.action === 'raise') {
        const r = await tx(async ({ alarms, audit }) => {
          const res = await alarms.raise({
            subjectType: subject.type, subjectId: subject.id, unitId: subject.unitId ?? null, kitchenId: subject.kitchenId ?? null,
            type: signal.type, severity: signal.severity, title: signal.title.zh, detail: { ...signal.detail, titleEn: signal.title.en }, ruleVersion, at,
          });
          // repeats only bump the count: the audit log records transitions, not every reading
          if (res.created) await audit.append({ ...auditOf(system, 'automatic'), action: 'alarm.raised', subjectType: 'alarm', subjectId: String(res.alarm.id), detail: { type: signal.type, severity: signal.severity, subject: subject.id } });
          return res;
        });
        return { action: 'raise', ...r };
      }
      const alarm = await tx(async ({ alarms, audit }) => {
        const a = await alarms.clearCondition(subject.id, signal.type, at);
        if (a) {
          await audit.append({
            ...auditOf(system, 'automatic'), action: a.status === 'closed' ? `alarm.closed` : 'alarm.condition_cleared',
            subjectType: 'alarm', subjectId: String(a.id), detail: { outcome: a.outcome, type: a.type },
          });
        }
        return a;
      });
      if (alarm?.status === 'closed') await onStop?.(alarm, alarm.outcome === 'auto_cleared' ? 'auto_cleared' : 'closed');
      return { action: 'clear', alarm };
    },

    async acknowledge(id: number, actor: Actor, via: AuditVia): Promise<Alarm | undefined> {
      const a = await tx(async ({ alarms, audit }) => {
        const r = await alarms.acknowledge(id, actor.name, via);
        if (r) await audit.append({ ...auditOf(actor, via), action: 'alarm.acknowledged', subjectType: 'alarm', subjectId: String(id) });
        return r;
      });
      if (a) await onStop?.(a, 'acknowledged');
      return a;
    },

    async rectify(id: number, actor: Actor, note: string, via: AuditVia): Promise<Alarm | undefined> {
      const a = await tx(async ({ alarms, audit }) => {
        const r = await alarms.rectify(id, actor.name, note, via);
        if (r) await audit.append({ ...auditOf(actor, via), action: r.status === 'closed' ? 'alarm.rectified_closed' : 'alarm.rectified', subjectType: 'alarm', subjectId: String(id), detail: { note } });
        return r;
      });
      if (a) await onStop?.(a, 'rectified');
      return a;
    },

    async close(id: number, actor: Actor, via: AuditVia, outcome: AlarmOutcome, note?: string): Promise<Alarm | undefined> {
      const a = await tx(async ({ alarms, audit }) => {
        const r = await alarms.close(id, actor.name, via, outcome, note);
        if (r) await audit.append({ ...auditOf(actor, via), action: 'alarm.closed', subjectType: 'alarm', subjectId: String(id), detail: { outcome, ...(note ? { note } : {}) } });
        return r;
      });
      if (a) await onStop?.(a, 'closed');
      return a;
    },

    /** The maintenance company is on site (its SMS link, or the dashboard): the first arrival counts. */
    async arrive(id: number, actor: Actor, via: AuditVia): Promise<Alarm | undefined> {
      return tx(async ({ alarms, audit }) => {
        const r = await alarms.arrive(id, actor.name);
        if (r) await audit.append({ ...auditOf(actor, via), action: 'alarm.arrived', subjectType: 'alarm', subjectId: String(id) });
        return r;
      });
    },

    /**
     * The inspector's verdict on a reported rectification. Accepted: the alarm closes as resolved (verified).
     * Rejected: it goes back to the unit (acknowledged) with the reason, and the unit is told by SMS (onRework).
     * Undefined when there is no unverified rectification to judge.
     */
    async verify(id: number, actor: Actor, verdict: 'accepted' | 'rejected', reason: string): Promise<Alarm | undefined> {
      const a = await tx(async ({ alarms, audit, db }) => {
        const r = verdict === 'accepted' ? await alarms.acceptRectification(id, actor.name) : await alarms.rejectRectification(id);
        if (!r) return undefined;
        await db.query(`INSERT INTO alarm_verifications (alarm_id, verdict, reason, by_user) VALUES ($1, $2, $3, $4)`, [id, verdict, reason, actor.name]);
        await audit.append({
          ...auditOf(actor, 'dashboard'), action: verdict === 'accepted' ? 'alarm.verified' : 'alarm.rectification_rejected',
          subjectType: 'alarm', subjectId: String(id), detail: reason ? { reason } : {},
        });
        return r;
      });
      if (a && verdict === 'rejected') await onRework?.(a, reason);
      return a;
    },

    get: (id: number) => alarmQueries(registry.db).get(id),
    find: (id: number) => alarmQueries(registry.db).find(id),
    active: (subjectId: string, type: string) => alarmQueries(registry.db).active(subjectId, type),
  };
}
export type AlarmService = ReturnType<typeof createAlarmService>;

function auditOf(actor: Actor, via: AuditVia) {
  return { actor: actor.name, actorType: actor.type, via };
}
