import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ForbiddenError, UserError } from '@tianwang/core/errors';
import { INSPECTION_COLUMNS, MAINTENANCE_COLUMNS, recordQueries, toInspectionRecord, toMaintenanceRecord, toDateString, type InspectionRecord, type MaintenanceRecord } from '@tianwang/core/registry';
import { localDay } from '../../live/board-row.js';
import { SqlParams } from '../../auth/sql-scope.js';
import { auditByUser, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { Id, IdParams, IsoDate } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { requireDevice } from './access.js';

const XLSX = ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];
const Maintenance = z.object({ id: z.number().int(), deviceId: z.string(), doneOn: z.string(), companyId: z.string().nullable(), technician: z.string(), items: z.array(z.string()), note: z.string(), createdBy: z.string(), createdAt: z.string() });
const Inspection = z.object({ id: z.number().int(), deviceId: z.string(), inspectedOn: z.string(), result: z.enum(['pass', 'conditional', 'fail']), nextDue: z.string().nullable(), reportNo: z.string(), note: z.string(), createdBy: z.string(), createdAt: z.string() });
const NewMaintenance = z.object({
  doneOn: IsoDate, companyId: Id.optional().meta({ description: "default: the device's maintenance company (a maintenance user: always its own)" }),
  technician: z.string().trim().min(1).max(60), items: z.array(z.string().trim().min(1).max(60)).max(50).default([]), note: z.string().max(1000).default(''),
});
const NewInspection = z.object({
  inspectedOn: IsoDate, result: z.enum(['pass', 'conditional', 'fail']), nextDue: IsoDate.optional().meta({ description: 'required unless the result is fail' }),
  reportNo: z.string().max(60).default(''), note: z.string().max(1000).default(''),
});
const MQuery = listQuery(['doneOn', 'id'], 'doneOn', {}, 'desc');
const IQuery = listQuery(['inspectedOn', 'id'], 'inspectedOn', {}, 'desc');

const out = <T extends { createdAt: Date }>(r: T) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() });
const M_COLUMNS: Column<MaintenanceRecord>[] = [
  { header: '维保日期', value: (r) => r.doneOn, width: 12 }, { header: '维保单位', value: (r) => r.companyId }, { header: '维保人员', value: (r) => r.technician },
  { header: '维保项目', value: (r) => r.items.join('、'), width: 40 }, { header: '备注', value: (r) => r.note, width: 30 }, { header: '录入人', value: (r) => r.createdBy },
];
const I_COLUMNS: Column<InspectionRecord>[] = [
  { header: '检验日期', value: (r) => r.inspectedOn, width: 12 }, { header: '结论', value: (r) => ({ pass: '合格', conditional: '复检合格', fail: '不合格' })[r.result] },
  { header: '下次检验', value: (r) => r.nextDue, width: 12 }, { header: '报告编号', value: (r) => r.reportNo, width: 18 }, { header: '备注', value: (r) => r.note, width: 30 },
];

/** Maintenance records (a new one restarts the 15-day rule) and inspection records (a new one sets the certificate's validity). */
export function deviceRecordRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/devices/:id/maintenance', summary: 'Maintenance records', tags: ['devices'], params: IdParams, querystring: MQuery, response: listOf(Maintenance), produces: XLSX }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const p = new SqlParams();
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, {
      select: MAINTENANCE_COLUMNS.replace('id::int AS id', 'm.id::int AS id'), from: 'FROM maintenance_records m', where: [`m.device_id = ${p.add(device.id)}`], params: p,
      id: 'm.id', sorts: { doneOn: 'm.done_on', id: 'm.id' }, map: toMaintenanceRecord,
    }, req.query, xlsx);
    if (xlsx) return sendXlsx(reply, { file: `maintenance-${device.id}`, sheet: `维保记录-${device.id}` }, M_COLUMNS, page.items);
    return { ...page, items: page.items.map(out) };
  });

  route(app, { method: 'POST', url: '/devices/:id/maintenance', summary: 'Add a maintenance record', tags: ['devices'], roles: ['admin', 'maintenance', 'unit'], params: IdParams, body: NewMaintenance, response: Maintenance, status: 201 }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const user = req.session.user;
    if (req.body.doneOn > localDay(ctx.timezone)) throw new UserError('TW_PAYLOAD_INVALID', 'doneOn is in the future');
    let companyId = req.body.companyId ?? device.maintenanceCompanyId;
    if (user.role === 'maintenance') {
      if (req.body.companyId && req.body.companyId !== user.maintenanceCompanyId) throw new ForbiddenError('a maintenance company records its own visits only');
      companyId = user.maintenanceCompanyId;
    }
    const record = await ctx.registry.db.transaction(async (tx) => {
      const [before] = await tx.query<{ d: unknown }>('SELECT last_maintenance_on AS d FROM devices WHERE id = $1', [device.id]);
      const r = await recordQueries(tx).addMaintenance({ deviceId: device.id, doneOn: req.body.doneOn, companyId, technician: req.body.technician, items: req.body.items, note: req.body.note, createdBy: `user:${user.id}` });
      const [after] = await tx.query<{ d: unknown }>('SELECT last_maintenance_on AS d FROM devices WHERE id = $1', [device.id]);
      await auditByUser(tx, req, 'device.maintenance_recorded', 'device', device.id, { record: r.id, before: { lastMaintenanceOn: toDateString(before?.d) }, after: { lastMaintenanceOn: toDateString(after?.d) } });
      return r;
    });
    ctx.live.refreshSoon();
    return reply.code(201).send(out(record));
  });

  route(app, { method: 'GET', url: '/devices/:id/inspections', summary: 'Inspection records', tags: ['devices'], params: IdParams, querystring: IQuery, response: listOf(Inspection), produces: XLSX }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const p = new SqlParams();
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, {
      select: INSPECTION_COLUMNS.replace('id::int AS id', 'i.id::int AS id'), from: 'FROM inspection_records i', where: [`i.device_id = ${p.add(device.id)}`], params: p,
      id: 'i.id', sorts: { inspectedOn: 'i.inspected_on', id: 'i.id' }, map: toInspectionRecord,
    }, req.query, xlsx);
    if (xlsx) return sendXlsx(reply, { file: `inspections-${device.id}`, sheet: `检验记录-${device.id}` }, I_COLUMNS, page.items);
    return { ...page, items: page.items.map(out) };
  });

  route(app, { method: 'POST', url: '/devices/:id/inspections', summary: 'Add an inspection record', tags: ['devices'], roles: ['admin', 'inspector'], params: IdParams, body: NewInspection, response: Inspection, status: 201 }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const b = req.body;
    if (b.result !== 'fail' && !b.nextDue) throw new UserError('TW_PAYLOAD_INVALID', 'nextDue is required for a pass or a conditional pass');
    if (b.nextDue && b.nextDue <= b.inspectedOn) throw new UserError('TW_PAYLOAD_INVALID', 'nextDue must be after inspectedOn');
    if (b.inspectedOn > localDay(ctx.timezone)) throw new UserError('TW_PAYLOAD_INVALID', 'inspectedOn is in the future');
    const record = await ctx.registry.db.transaction(async (tx) => {
      const [before] = await tx.query<{ d: unknown }>('SELECT inspection_valid_until AS d FROM devices WHERE id = $1', [device.id]);
      const r = await recordQueries(tx).addInspection({ deviceId: device.id, inspectedOn: b.inspectedOn, result: b.result, nextDue: b.nextDue ?? null, reportNo: b.reportNo, note: b.note, createdBy: `user:${req.session.user.id}` });
      await auditByUser(tx, req, 'device.inspection_recorded', 'device', device.id, {
        record: r.id, result: r.result, before: { inspectionValidUntil: toDateString(before?.d) }, after: { inspectionValidUntil: b.result === 'fail' ? b.inspectedOn : b.nextDue },
      });
      return r;
    });
    ctx.live.refreshSoon();
    return reply.code(201).send(out(record));
  });
}
