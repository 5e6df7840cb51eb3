import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { maskPhone, planStages, STAGE_LABEL, type Stage } from '@tianwang/alerts/actions';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';
import { requireAlarm } from './access.js';
import { AlarmRow } from './query.js';
import { AlarmIdParams } from './schema.js';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const TimelineItem = z.object({
  id: z.number().int(), stage: z.string(), recipientRole: z.string().meta({ description: 'the stage in words: 安全管理员, 维保单位, …' }), recipientName: z.string(),
  recipientPhone: z.string().meta({ description: 'masked: 138****0001' }), provider: z.string().nullable(), providerMessageId: z.string().nullable(),
  status: z.string().meta({ description: 'queued, sending, sent, delivered, failed, merged, cancelled' }), error: z.string().nullable(),
  createdAt: z.string(), sentAt: z.string().nullable(), deliveredAt: z.string().nullable(),
});
const Step = z.object({ at: z.string(), action: z.string(), actor: z.string(), actorType: z.string(), via: z.string(), detail: z.record(z.string(), z.unknown()) });
export const Comment = z.object({ id: z.number().int(), author: z.string(), body: z.string(), createdAt: z.string() });
export const Photo = z.object({ id: z.number().int(), sha256: z.string(), contentType: z.string(), bytes: z.number().int(), uploadedBy: z.string(), createdAt: z.string(), url: z.string() });
const Verification = z.object({ id: z.number().int(), verdict: z.string(), reason: z.string(), by: z.string(), at: z.string() });
const Detail = z.object({
  alarm: AlarmRow,
  trigger: z.record(z.string(), z.unknown()).meta({ description: 'what raised it: the rule detail (reading, limit, event code)' }),
  steps: z.array(Step).meta({ description: 'the audit trail of the alarm: who did each step and how' }),
  timeline: z.array(TimelineItem),
  nextStage: z.object({ stage: z.string(), recipientRole: z.string(), dueAt: z.string() }).nullable().meta({ description: 'the next escalation stage and when it is due (null: none pending)' }),
  comments: z.array(Comment), photos: z.array(Photo), verifications: z.array(Verification),
});
/** `GET /alarms/:id` as it is answered (the web app's alarm detail reads this type). */
export type AlarmDetailT = z.input<typeof Detail>;

export const toComment = (r: Record<string, unknown>) => ({ id: Number(r.id), author: r.author as string, body: r.body as string, createdAt: iso(r.created_at)! });
export const toPhoto = (alarmId: number, r: Record<string, unknown>) => ({
  id: Number(r.id), sha256: r.sha256 as string, contentType: r.content_type as string, bytes: Number(r.bytes), uploadedBy: r.uploaded_by as string, createdAt: iso(r.created_at)!,
  url: `/api/v1/alarms/${alarmId}/photos/${Number(r.id)}`,
});
const roleOf = (stage: string) => STAGE_LABEL[stage.replace(/-\d+$/, '') as Stage]?.zh ?? stage;

/** GET /alarms/:id: the alarm, what raised it, its escalation timeline with the next stage, comments, photos, verdicts. */
export function alarmDetailRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/alarms/:id', summary: 'An alarm with its escalation timeline', tags: ['alarms'], params: AlarmIdParams, response: Detail }, async (req) => {
    const alarm = await requireAlarm(ctx, req, req.params.id);
    const db = ctx.registry.db;
    const id = alarm.id;
    const [raw] = await db.query<{ detail: Record<string, unknown> }>('SELECT detail FROM alarms WHERE id = $1', [id]);
    const steps = await db.query<Record<string, unknown>>(`SELECT at, action, actor, actor_type, via, detail FROM audit_log WHERE subject_type = 'alarm' AND subject_id = $1 ORDER BY at, id`, [String(id)]);
    const notes = await db.query<Record<string, unknown>>(
      `SELECT id, stage, recipient_name, recipient_phone, provider, provider_message_id, status, COALESCE(receipt_error, error) AS error, created_at, sent_at, delivered_at FROM notifications WHERE alarm_id = $1 ORDER BY id`, [id]);
    const comments = await db.query<Record<string, unknown>>('SELECT id, author, body, created_at FROM alarm_comments WHERE alarm_id = $1 ORDER BY id', [id]);
    const photos = await db.query<Record<string, unknown>>('SELECT id, sha256, content_type, bytes, uploaded_by, created_at FROM alarm_photos WHERE alarm_id = $1 ORDER BY id', [id]);
    const verdicts = await db.query<Record<string, unknown>>('SELECT id, verdict, reason, by_user, at FROM alarm_verifications WHERE alarm_id = $1 ORDER BY id', [id]);
    // the later stages chase an open alarm only (alerts' escalator); quiet hours may delay low severities further
    let nextStage: z.input<typeof Detail>['nextStage'] = null;
    if (alarm.status === 'open') {
      const sent = new Set(notes.map((n) => n.stage as string));
      const first = Date.parse(alarm.firstSeenAt);
      const subjectType = alarm.subjectType as 'device' | 'camera';
      for (const s of planStages({ severity: alarm.severity as 'critical', type: alarm.type, subjectType }, ctx.escalationMin)) {
        if (s.afterMin === 0 || sent.has(s.stage)) continue;
        nextStage = { stage: s.stage, recipientRole: STAGE_LABEL[s.stage].zh, dueAt: new Date(first + s.afterMin * 60_000).toISOString() };
        break;
      }
    }
    return {
      alarm, trigger: raw?.detail ?? {},
      steps: steps.map((s) => ({ at: iso(s.at)!, action: s.action as string, actor: s.actor as string, actorType: s.actor_type as string, via: s.via as string, detail: s.detail as Record<string, unknown> })),
      timeline: notes.map((n) => ({
        id: Number(n.id), stage: n.stage as string, recipientRole: roleOf(n.stage as string), recipientName: n.recipient_name as string, recipientPhone: maskPhone(n.recipient_phone as string),
        provider: (n.provider as string | null) ?? null, providerMessageId: (n.provider_message_id as string | null) ?? null, status: n.status as string, error: (n.error as string | null) ?? null,
        createdAt: iso(n.created_at)!, sentAt: iso(n.sent_at), deliveredAt: iso(n.delivered_at),
      })),
      nextStage,
      comments: comments.map(toComment), photos: photos.map((r) => toPhoto(id, r)),
      verifications: verdicts.map((v) => ({ id: Number(v.id), verdict: v.verdict as string, reason: v.reason as string, by: v.by_user as string, at: iso(v.at)! })),
    };
  });
}
