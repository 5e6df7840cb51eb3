import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import type { Scope } from '../../auth/scope.js';
import { scopeOf, type ApiContext } from '../context.js';
import { ALARM_FROM, ALARM_SELECT, toAlarmRow, type AlarmRowT } from './query.js';

/** The alarm if it is in the scope, else undefined. */
export async function alarmInScope(ctx: ApiContext, scope: Scope, id: number): Promise<AlarmRowT | undefined> {
  const p = new SqlParams();
  const [row] = await ctx.registry.db.query<Record<string, unknown>>(`SELECT ${ALARM_SELECT} ${ALARM_FROM} WHERE a.id = ${p.add(id)} AND ${scopeSql.alarms(scope, p, 'a')}`, p.values);
  return row ? toAlarmRow(row) : undefined;
}

/** The alarm, if it exists and is in the caller's scope; else 404, the same answer for both (no existence leak). */
export async function requireAlarm(ctx: ApiContext, req: FastifyRequest, id: number): Promise<AlarmRowT> {
  const a = await alarmInScope(ctx, await scopeOf(ctx, req), id);
  if (!a) throw new NotFoundError(`alarm ${id}`);
  return a;
}

/** Who acted, as the alarm columns and the audit log name a dashboard user. */
export const actorOf = (req: FastifyRequest) => ({ name: `user:${req.session!.user.id}`, type: 'user' as const });
