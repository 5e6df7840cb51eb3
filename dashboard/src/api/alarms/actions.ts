import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UserError } from '@tianwang/core/errors';
import { scopeOf, auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { Id } from '../schema.js';
import { actorOf, alarmInScope, requireAlarm } from './access.js';
import { Comment, toComment } from './detail.js';
import { AlarmRow } from './query.js';
import { AlarmIdParams } from './schema.js';

const conflict = (what: string) => new UserError('TW_CONFLICT', what, 409);

/**
 * The alarm centre's state changes. Each goes through @tianwang/alerts/actions (the same transitions and audit as
 * the SMS link, and stopping or queueing SMS through the shared escalation queue), answers the alarm as listed,
 * and 409 TW_CONFLICT when the alarm is not in a state that allows the step (already acknowledged, nothing to verify).
 */
export function alarmActionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const A = ctx.actions.alarms;

  route(app, { method: 'POST', url: '/alarms/:id/acknowledge', summary: 'Acknowledge an alarm (stops its escalation)', tags: ['alarms'], params: AlarmIdParams, response: AlarmRow }, async (req) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    if (!(await A.acknowledge(a.id, actorOf(req), 'dashboard'))) throw conflict(`alarm ${a.id} is not waiting for acknowledgement`);
    return requireAlarm(ctx, req, a.id);
  });

  route(app, {
    method: 'POST', url: '/alarms/acknowledge', summary: 'Acknowledge several alarms (inspectors)', tags: ['alarms'], roles: ['admin', 'inspector'],
    body: z.object({ ids: z.array(z.number().int().min(1)).min(1).max(500) }),
    response: z.object({ acknowledged: z.array(z.number().int()), skipped: z.array(z.number().int()).meta({ description: 'not open, or not in scope' }) }),
  }, async (req) => {
    const scope = await scopeOf(ctx, req);
    const acknowledged: number[] = [];
    const skipped: number[] = [];
    for (const id of [...new Set(req.body.ids)]) {
      // an id out of scope is skipped like one that is not open: the answer says nothing about its existence
      const ok = (await alarmInScope(ctx, scope, id)) && (await A.acknowledge(id, actorOf(req), 'dashboard'));
      (ok ? acknowledged : skipped).push(id);
    }
    return { acknowledged, skipped };
  });

  route(app, {
    method: 'POST', url: '/alarms/:id/comments', summary: 'Comment on an alarm', tags: ['alarms'], params: AlarmIdParams, status: 201,
    body: z.object({ body: z.string().trim().min(1).max(2000) }), response: Comment,
  }, async (req, reply) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    const row = await ctx.registry.db.transaction(async (t) => {
      const [r] = await t.query<Record<string, unknown>>('INSERT INTO alarm_comments (alarm_id, author, body) VALUES ($1, $2, $3) RETURNING id, author, body, created_at', [a.id, actorOf(req).name, req.body.body]);
      await auditByUser(t, req, 'alarm.commented', 'alarm', String(a.id), { comment: Number(r!.id) });
      return r!;
    });
    reply.code(201);
    return toComment(row);
  });

  route(app, {
    method: 'PUT', url: '/alarms/:id/assignee', summary: 'Assign an alarm to a user who can see it (null: nobody)', tags: ['alarms'], roles: ['admin', 'inspector', 'unit', 'maintenance'], params: AlarmIdParams,
    body: z.object({ userId: Id.nullable() }), response: AlarmRow,
  }, async (req) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    const userId = req.body.userId;
    if (userId) {
      // the assignee must see the alarm; a user the caller may not know of answers like one that does not exist
      const u = await ctx.registry.users.find(userId);
      const theirs = u?.enabled ? await alarmInScope(ctx, await ctx.scopes.resolve(u), a.id) : undefined;
      if (!theirs) throw new NotFoundError(`user ${userId}`);
    }
    await ctx.registry.db.transaction(async (t) => {
      await t.query('UPDATE alarms SET assignee_id = $2 WHERE id = $1', [a.id, userId]);
      await auditByUser(t, req, 'alarm.assigned', 'alarm', String(a.id), { before: a.assigneeId, after: userId });
    });
    return requireAlarm(ctx, req, a.id);
  });

  route(app, {
    method: 'POST', url: '/alarms/:id/rectification', summary: 'Report the rectification (photos: POST /alarms/:id/photos)', tags: ['alarms'], roles: ['admin', 'unit', 'maintenance'], params: AlarmIdParams,
    body: z.object({ note: z.string().trim().min(1).max(500) }), response: AlarmRow,
  }, async (req) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    if (!(await A.rectify(a.id, actorOf(req), req.body.note, 'dashboard'))) throw conflict(`alarm ${a.id} is not waiting for a rectification`);
    return requireAlarm(ctx, req, a.id);
  });

  route(app, {
    method: 'POST', url: '/alarms/:id/verification', summary: "The inspector's verdict on the reported rectification", tags: ['alarms'], roles: ['admin', 'inspector'], params: AlarmIdParams,
    description: 'accepted: the alarm closes as resolved (verified). rejected: it goes back to the unit (acknowledged) with the reason, and the unit gets a new SMS.',
    body: z.object({ verdict: z.enum(['accepted', 'rejected']), reason: z.string().trim().max(300).default('') }), response: AlarmRow,
  }, async (req) => {
    const a = await requireAlarm(ctx, req, req.params.id);
    if (req.body.verdict === 'rejected' && !req.body.reason) throw new UserError('TW_PAYLOAD_INVALID', 'reason: is required when the rectification is rejected');
    if (!(await A.verify(a.id, actorOf(req), req.body.verdict, req.body.reason))) throw conflict(`alarm ${a.id} has no reported rectification to verify`);
    return requireAlarm(ctx, req, a.id);
  });
}
