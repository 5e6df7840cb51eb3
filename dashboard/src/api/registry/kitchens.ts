import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { E164, Id, IdParams } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { changes, insertRow, oneInScope, pick, updateRow } from './crud.js';

const HOURS = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM-HH:MM');
const Fields = {
  name: z.string().trim().min(1).max(100),
  licenceNo: z.string().trim().min(1).max(40).meta({ description: '食品经营许可证编号' }),
  address: z.string().max(200),
  districtId: Id,
  riskClass: z.enum(['A', 'B', 'C', 'D']),
  contactName: z.string().max(40),
  contactPhone: E164.or(z.literal('')),
  businessHours: HOURS,
  publicViewing: z.boolean(),
  unitId: Id.nullable().meta({ description: 'the using unit that runs it (a canteen), if any' }),
};
const KEYS = Object.keys(Fields);
const NewKitchen = z.object({ id: Id, ...z.object(Fields).partial().shape, name: Fields.name, licenceNo: Fields.licenceNo, districtId: Fields.districtId });
const PatchKitchen = z.object(Fields).partial();
const Kitchen = z.object({
  id: z.string(), name: z.string(), licenceNo: z.string(), address: z.string(), districtId: z.string(), districtName: z.string(), riskClass: z.string(), contactName: z.string(),
  contactPhone: z.string(), businessHours: z.string(), publicViewing: z.boolean(), unitId: z.string().nullable(), cameras: z.number().int(),
  publicPath: z.string().meta({ description: 'the public kitchen page (阳光厨房) under TW_PUBLIC_URL: /k/<code>; its QR code at /k/<code>/qr.png and qr.svg' }),
});
type KitchenOut = z.input<typeof Kitchen>;
const Query = listQuery(['name', 'id', 'riskClass', 'districtName'], 'name', { q: z.string().max(100).optional(), districtId: Id.optional(), unitId: Id.optional(), riskClass: z.enum(['A', 'B', 'C', 'D']).optional() });
const SELECT = `k.id, k.name, k.licence_no, k.address, k.district_id, dt.name AS district_name, k.risk_class, k.contact_name, k.contact_phone, k.business_hours,
  k.public_viewing, k.unit_id, k.public_code, (SELECT count(*)::int FROM cameras cc WHERE cc.kitchen_id = k.id) AS cameras`;
const FROM = 'FROM kitchens k JOIN districts dt ON dt.id = k.district_id';
const toKitchen = (r: Record<string, unknown>): KitchenOut => ({
  id: r.id as string, name: r.name as string, licenceNo: r.licence_no as string, address: r.address as string, districtId: r.district_id as string,
  districtName: r.district_name as string, riskClass: r.risk_class as string, contactName: r.contact_name as string, contactPhone: r.contact_phone as string,
  businessHours: r.business_hours as string, publicViewing: r.public_viewing as boolean, unitId: (r.unit_id as string | null) ?? null, cameras: Number(r.cameras),
  publicPath: `/k/${r.public_code as string}`,
});
const COLUMNS: Column<KitchenOut>[] = [
  { header: '编号', value: (k) => k.id }, { header: '名称', value: (k) => k.name, width: 24 }, { header: '许可证编号', value: (k) => k.licenceNo, width: 20 },
  { header: '地址', value: (k) => k.address, width: 28 }, { header: '辖区', value: (k) => k.districtName, width: 16 }, { header: '风险等级', value: (k) => k.riskClass },
  { header: '联系人', value: (k) => k.contactName }, { header: '联系电话', value: (k) => k.contactPhone, width: 16 }, { header: '营业时间', value: (k) => k.businessHours, width: 14 },
  { header: '公众可看', value: (k) => (k.publicViewing ? '是' : '') }, { header: '摄像头数', value: (k) => k.cameras },
];
const ROLES = ['admin', 'inspector', 'unit'] as const;

/** 餐饮单位 with bright-kitchen cameras: by district, or run by a unit; maintenance companies have none (403). */
export function kitchenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const one = (req: FastifyRequest, id: string) => oneInScope(ctx, req, id, { select: SELECT, from: FROM, idColumn: 'k.id', scope: scopeSql.kitchens, what: 'kitchen', map: toKitchen });

  route(app, { method: 'GET', url: '/kitchens', summary: 'Kitchens in scope', tags: ['kitchens'], roles: ROLES, querystring: Query, response: listOf(Kitchen), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const p = new SqlParams();
    const where = [scopeSql.kitchens(await scopeOf(ctx, req), p)];
    if (req.query.q) {
      const q = p.add(`%${req.query.q.toLowerCase()}%`);
      where.push(`(lower(k.name) LIKE ${q} OR lower(k.id) LIKE ${q} OR lower(k.licence_no) LIKE ${q} OR lower(k.address) LIKE ${q})`);
    }
    if (req.query.districtId) where.push(`k.district_id = ANY(${p.add(await ctx.scopes.subtree(req.query.districtId))}::text[])`);
    if (req.query.unitId) where.push(`k.unit_id = ${p.add(req.query.unitId)}`);
    if (req.query.riskClass) where.push(`k.risk_class = ${p.add(req.query.riskClass)}`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, { select: SELECT, from: FROM, where, params: p, id: 'k.id', map: toKitchen, sorts: { name: 'k.name', id: 'k.id', riskClass: 'k.risk_class', districtName: 'dt.name' } }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'kitchens', sheet: '餐饮单位' }, COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/kitchens/:id', summary: 'A kitchen in scope', tags: ['kitchens'], roles: ROLES, params: IdParams, response: Kitchen }, async (req) => one(req, req.params.id));

  route(app, { method: 'POST', url: '/kitchens', summary: 'Register a kitchen', tags: ['kitchens'], roles: ['admin'], body: NewKitchen, response: Kitchen, status: 201 }, async (req, reply) => {
    await ctx.registry.db.transaction(async (tx) => {
      const after = await insertRow(tx, 'kitchens', { id: req.body.id, ...pick(req.body, KEYS) });
      await auditByUser(tx, req, 'kitchen.created', 'kitchen', req.body.id, { after });
    });
    return reply.code(201).send(await one(req, req.body.id));
  });

  route(app, { method: 'PATCH', url: '/kitchens/:id', summary: 'Edit a kitchen', tags: ['kitchens'], roles: ['admin'], params: IdParams, body: PatchKitchen, response: Kitchen }, async (req) => {
    await ctx.registry.db.transaction(async (tx) => {
      const r = await updateRow(tx, 'kitchens', req.params.id, pick(req.body, KEYS), 'kitchen');
      await auditByUser(tx, req, 'kitchen.updated', 'kitchen', req.params.id, changes(r.before, r.after));
    });
    return one(req, req.params.id);
  });
}
