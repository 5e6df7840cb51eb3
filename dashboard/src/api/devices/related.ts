import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { maskPhone } from '@tianwang/alerts/actions';
import { SqlParams } from '../../auth/sql-scope.js';
import type { ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { IdParams } from '../schema.js';
import { sendXlsx, xlsxTime, type Column } from '../xlsx.js';
import { requireDevice } from './access.js';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const XLSX = ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];

export const AlarmItem = z.object({
  id: z.number().int(), type: z.string(), severity: z.string(), status: z.string(), outcome: z.string().nullable(), title: z.string(), count: z.number().int(),
  firstSeenAt: z.string(), lastSeenAt: z.string(), conditionClearedAt: z.string().nullable(), acknowledgedAt: z.string().nullable(), acknowledgedBy: z.string().nullable(),
  rectifiedAt: z.string().nullable(), rectificationNote: z.string().nullable(), closedAt: z.string().nullable(), closedBy: z.string().nullable(),
});
const NotificationItem = z.object({
  id: z.number().int(), alarmId: z.number().int().nullable(), alarmTitle: z.string(), stage: z.string(), recipientName: z.string(),
  recipientPhone: z.string().meta({ description: 'masked: 138****0001' }), channel: z.string(), provider: z.string().nullable(), status: z.string(),
  error: z.string().nullable(), createdAt: z.string(), sentAt: z.string().nullable(),
});
const AuditItem = z.object({ id: z.number().int(), at: z.string(), actor: z.string(), actorType: z.string(), action: z.string(), subjectType: z.string(), subjectId: z.string(), via: z.string(), detail: z.record(z.string(), z.unknown()) });

const AlarmQuery = listQuery(['id', 'firstSeenAt', 'lastSeenAt', 'severity', 'status'], 'id', { status: z.enum(['open', 'acknowledged', 'rectified', 'closed']).optional(), active: z.boolean().optional() }, 'desc');
const NotificationQuery = listQuery(['id', 'createdAt', 'status'], 'id', { status: z.enum(['queued', 'sending', 'sent', 'failed', 'merged', 'cancelled']).optional() }, 'desc');
const AuditQuery = listQuery(['id', 'at'], 'id', { action: z.string().max(60).optional() }, 'desc');

const toAlarm = (r: Record<string, unknown>): z.input<typeof AlarmItem> => ({
  id: Number(r.id), type: r.type as string, severity: r.severity as string, status: r.status as string, outcome: (r.outcome as string | null) ?? null, title: r.title as string,
  count: Number(r.count), firstSeenAt: iso(r.first_seen_at)!, lastSeenAt: iso(r.last_seen_at)!, conditionClearedAt: iso(r.condition_cleared_at),
  acknowledgedAt: iso(r.acknowledged_at), acknowledgedBy: (r.acknowledged_by as string | null) ?? null, rectifiedAt: iso(r.rectified_at),
  rectificationNote: (r.rectification_note as string | null) ?? null, closedAt: iso(r.closed_at), closedBy: (r.closed_by as string | null) ?? null,
});
const ALARM_COLUMNS: Column<z.input<typeof AlarmItem>>[] = [
  { header: '编号', value: (a) => a.id }, { header: '类型', value: (a) => a.type }, { header: '标题', value: (a) => a.title, width: 24 },
  { header: '级别', value: (a) => a.severity }, { header: '状态', value: (a) => a.status }, { header: '次数', value: (a) => a.count },
  { header: '首次发生', value: (a) => xlsxTime(new Date(a.firstSeenAt)), width: 20 }, { header: '最近发生', value: (a) => xlsxTime(new Date(a.lastSeenAt)), width: 20 },
  { header: '确认人', value: (a) => a.acknowledgedBy }, { header: '整改情况', value: (a) => a.rectificationNote, width: 30 },
  { header: '关闭时间', value: (a) => (a.closedAt ? new Date(a.closedAt) : null), width: 20 },
];
const NOTIFICATION_COLUMNS: Column<z.input<typeof NotificationItem>>[] = [
  { header: '编号', value: (n) => n.id }, { header: '报警', value: (n) => n.alarmTitle, width: 20 }, { header: '阶段', value: (n) => n.stage },
  { header: '接收人', value: (n) => n.recipientName }, { header: '手机号', value: (n) => n.recipientPhone, width: 16 }, { header: '状态', value: (n) => n.status },
  { header: '创建时间', value: (n) => new Date(n.createdAt), width: 20 }, { header: '发送时间', value: (n) => (n.sentAt ? new Date(n.sentAt) : null), width: 20 },
];
const AUDIT_COLUMNS: Column<z.input<typeof AuditItem>>[] = [
  { header: '时间', value: (e) => new Date(e.at), width: 20 }, { header: '操作人', value: (e) => e.actor, width: 20 }, { header: '操作', value: (e) => e.action, width: 22 },
  { header: '对象', value: (e) => `${e.subjectType}:${e.subjectId}`, width: 20 }, { header: '途径', value: (e) => e.via }, { header: '详情', value: (e) => JSON.stringify(e.detail), width: 60 },
];

/** The device file's alarm history, the SMS sent about it (phones masked) and its audit trail. */
export function deviceRelatedRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/devices/:id/alarms', summary: 'Alarm history of the device', tags: ['devices'], params: IdParams, querystring: AlarmQuery, response: listOf(AlarmItem), produces: XLSX }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const p = new SqlParams();
    const where = [`a.subject_type = 'device'`, `a.subject_id = ${p.add(device.id)}`];
    if (req.query.status) where.push(`a.status = ${p.add(req.query.status)}`);
    if (req.query.active !== undefined) where.push(req.query.active ? `a.status <> 'closed'` : `a.status = 'closed'`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, {
      select: 'a.*', from: 'FROM alarms a', where, params: p, id: 'a.id', map: toAlarm,
      sorts: { id: 'a.id', firstSeenAt: 'a.first_seen_at', lastSeenAt: 'a.last_seen_at', severity: 'a.severity', status: 'a.status' },
    }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: `alarms-${device.id}`, sheet: `报警-${device.id}` }, ALARM_COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/devices/:id/notifications', summary: 'SMS sent about the device (phone numbers masked)', tags: ['devices'], params: IdParams, querystring: NotificationQuery, response: listOf(NotificationItem), produces: XLSX }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const p = new SqlParams();
    const where = [`a.subject_type = 'device'`, `a.subject_id = ${p.add(device.id)}`];
    if (req.query.status) where.push(`n.status = ${p.add(req.query.status)}`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, {
      select: 'n.id, n.alarm_id, a.title AS alarm_title, n.stage, n.recipient_name, n.recipient_phone, n.channel, n.provider, n.status, n.error, n.created_at, n.sent_at',
      from: 'FROM notifications n JOIN alarms a ON a.id = n.alarm_id', where, params: p, id: 'n.id',
      sorts: { id: 'n.id', createdAt: 'n.created_at', status: 'n.status' },
      map: (r) => ({
        id: Number(r.id), alarmId: r.alarm_id === null ? null : Number(r.alarm_id), alarmTitle: r.alarm_title as string, stage: r.stage as string,
        recipientName: r.recipient_name as string, recipientPhone: maskPhone(r.recipient_phone as string), channel: r.channel as string,
        provider: (r.provider as string | null) ?? null, status: r.status as string, error: (r.error as string | null) ?? null, createdAt: iso(r.created_at)!, sentAt: iso(r.sent_at),
      }),
    }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: `sms-${device.id}`, sheet: `短信-${device.id}` }, NOTIFICATION_COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/devices/:id/audit', summary: 'Audit trail of the device and its alarms', tags: ['devices'], roles: ['admin', 'inspector'], params: IdParams, querystring: AuditQuery, response: listOf(AuditItem), produces: XLSX }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const p = new SqlParams();
    const id = p.add(device.id);
    const where = [`((l.subject_type = 'device' AND l.subject_id = ${id}) OR (l.subject_type = 'alarm' AND l.subject_id IN (SELECT a.id::text FROM alarms a WHERE a.subject_type = 'device' AND a.subject_id = ${id})))`];
    if (req.query.action) where.push(`l.action = ${p.add(req.query.action)}`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, {
      select: 'l.id, l.at, l.actor, l.actor_type, l.action, l.subject_type, l.subject_id, l.via, l.detail', from: 'FROM audit_log l', where, params: p, id: 'l.id',
      sorts: { id: 'l.id', at: 'l.at' },
      map: (r) => ({
        id: Number(r.id), at: iso(r.at)!, actor: r.actor as string, actorType: r.actor_type as string, action: r.action as string,
        subjectType: r.subject_type as string, subjectId: r.subject_id as string, via: r.via as string, detail: r.detail as Record<string, unknown>,
      }),
    }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: `audit-${device.id}`, sheet: `审计-${device.id}` }, AUDIT_COLUMNS, page.items) : page;
  });
}
