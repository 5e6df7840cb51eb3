import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import { isValidCreditCode } from '@tianwang/core/demo';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { E164, Id, IdParams } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { changes, insertRow, oneInScope, pick, updateRow } from './crud.js';

export const CREDIT_CODE = z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, 'an 18-character unified social credit code (GB 32100)');
export const UnitFields = {
  creditCode: CREDIT_CODE,
  name: z.string().trim().min(1).max(100),
  address: z.string().max(200),
  districtId: Id,
  safetyOfficerName: z.string().trim().min(1).max(40),
  safetyOfficerPhone: E164,
  principalName: z.string().trim().min(1).max(40),
  principalPhone: E164,
};
const UNIT_KEYS = Object.keys(UnitFields);
export const NewUnit = z.object({ id: Id, ...UnitFields, address: UnitFields.address.optional() });
const PatchUnit = z.object(UnitFields).partial();
export const Unit = z.object({
  id: z.string(), creditCode: z.string(), name: z.string(), address: z.string(), districtId: z.string(), districtName: z.string(),
  safetyOfficerName: z.string(), safetyOfficerPhone: z.string(), principalName: z.string(), principalPhone: z.string(), devices: z.number().int(),
});
type UnitOut = z.input<typeof Unit>;
const Query = listQuery(['name', 'id', 'creditCode', 'districtName'], 'name', { q: z.string().max(100).optional(), districtId: Id.optional() });

const SELECT = `u.id, u.credit_code, u.name, u.address, u.district_id, dt.name AS district_name, u.safety_officer_name, u.safety_officer_phone,
  u.principal_name, u.principal_phone, (SELECT count(*)::int FROM devices cd WHERE cd.unit_id = u.id) AS devices`;
const FROM = 'FROM units u JOIN districts dt ON dt.id = u.district_id';
const toUnit = (r: Record<string, unknown>): UnitOut => ({
  id: r.id as string, creditCode: r.credit_code as string, name: r.name as string, address: r.address as string, districtId: r.district_id as string,
  districtName: r.district_name as string, safetyOfficerName: r.safety_officer_name as string, safetyOfficerPhone: r.safety_officer_phone as string,
  principalName: r.principal_name as string, principalPhone: r.principal_phone as string, devices: Number(r.devices),
});
const COLUMNS: Column<UnitOut>[] = [
  { header: '编号', value: (u) => u.id }, { header: '统一社会信用代码', value: (u) => u.creditCode, width: 22 }, { header: '名称', value: (u) => u.name, width: 24 },
  { header: '地址', value: (u) => u.address, width: 28 }, { header: '辖区', value: (u) => u.districtName, width: 16 },
  { header: '安全管理员', value: (u) => u.safetyOfficerName }, { header: '安全管理员手机', value: (u) => u.safetyOfficerPhone, width: 16 },
  { header: '主要负责人', value: (u) => u.principalName }, { header: '负责人手机', value: (u) => u.principalPhone, width: 16 }, { header: '设备数', value: (u) => u.devices },
];

export function checkCreditCode(code: string | undefined): void {
  if (code !== undefined && !isValidCreditCode(code)) throw new UserError('TW_PAYLOAD_INVALID', 'creditCode: the check character is wrong (GB 32100)');
}

/** 使用单位: read in scope by every role; created and edited by admins, every change audited with before and after. */
export function unitRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const one = (req: FastifyRequest, id: string) => oneInScope(ctx, req, id, { select: SELECT, from: FROM, idColumn: 'u.id', scope: scopeSql.units, what: 'unit', map: toUnit });

  route(app, { method: 'GET', url: '/units', summary: 'Units in scope', tags: ['units'], querystring: Query, response: listOf(Unit), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const scope = await scopeOf(ctx, req);
    const p = new SqlParams();
    const where = [scopeSql.units(scope, p)];
    if (req.query.q) {
      const q = p.add(`%${req.query.q.toLowerCase()}%`);
      where.push(`(lower(u.name) LIKE ${q} OR lower(u.id) LIKE ${q} OR lower(u.credit_code) LIKE ${q} OR lower(u.address) LIKE ${q})`);
    }
    if (req.query.districtId) where.push(`u.district_id = ANY(${p.add(await ctx.scopes.subtree(req.query.districtId))}::text[])`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, { select: SELECT, from: FROM, where, params: p, id: 'u.id', map: toUnit, sorts: { name: 'u.name', id: 'u.id', creditCode: 'u.credit_code', districtName: 'dt.name' } }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'units', sheet: '使用单位' }, COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/units/:id', summary: 'A unit in scope', tags: ['units'], params: IdParams, response: Unit }, async (req) => one(req, req.params.id));

  route(app, { method: 'POST', url: '/units', summary: 'Register a unit', tags: ['units'], roles: ['admin'], body: NewUnit, response: Unit, status: 201 }, async (req, reply) => {
    checkCreditCode(req.body.creditCode);
    await ctx.registry.db.transaction(async (tx) => {
      const after = await insertRow(tx, 'units', { id: req.body.id, ...pick(req.body, UNIT_KEYS), address: req.body.address ?? '' });
      await auditByUser(tx, req, 'unit.created', 'unit', req.body.id, { after });
    });
    ctx.live.refreshSoon();
    return reply.code(201).send(await one(req, req.body.id));
  });

  route(app, { method: 'PATCH', url: '/units/:id', summary: 'Edit a unit', tags: ['units'], roles: ['admin'], params: IdParams, body: PatchUnit, response: Unit }, async (req) => {
    checkCreditCode(req.body.creditCode);
    await ctx.registry.db.transaction(async (tx) => {
      const r = await updateRow(tx, 'units', req.params.id, pick(req.body, UNIT_KEYS), 'unit');
      await auditByUser(tx, req, 'unit.updated', 'unit', req.params.id, changes(r.before, r.after));
    });
    ctx.live.refreshSoon();
    return one(req, req.params.id);
  });
}
