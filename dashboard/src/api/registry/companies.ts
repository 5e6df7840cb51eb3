import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { E164, Id, IdParams } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { changes, insertRow, oneInScope, pick, updateRow } from './crud.js';
import { CREDIT_CODE, checkCreditCode } from './units.js';

const Fields = {
  name: z.string().trim().min(1).max(100),
  creditCode: CREDIT_CODE.nullable(),
  contactName: z.string().max(40),
  contactPhone: E164.or(z.literal('')),
  emergencyPhone: E164.meta({ description: '24-hour emergency line, E.164' }),
};
const KEYS = Object.keys(Fields);
const NewCompany = z.object({ id: Id, ...Fields, creditCode: Fields.creditCode.optional(), contactName: Fields.contactName.optional(), contactPhone: Fields.contactPhone.optional() });
const PatchCompany = z.object(Fields).partial();
const Company = z.object({ id: z.string(), name: z.string(), creditCode: z.string().nullable(), contactName: z.string(), contactPhone: z.string(), emergencyPhone: z.string(), elevators: z.number().int() });
type CompanyOut = z.input<typeof Company>;
const Query = listQuery(['name', 'id'], 'name', { q: z.string().max(100).optional() });
const SELECT = `m.id, m.name, m.credit_code, m.contact_name, m.contact_phone, m.emergency_phone, (SELECT count(*)::int FROM devices cd WHERE cd.maintenance_company_id = m.id AND cd.kind = 'elevator') AS elevators`;
const toCompany = (r: Record<string, unknown>): CompanyOut => ({
  id: r.id as string, name: r.name as string, creditCode: (r.credit_code as string | null) ?? null, contactName: r.contact_name as string,
  contactPhone: r.contact_phone as string, emergencyPhone: r.emergency_phone as string, elevators: Number(r.elevators),
});
const COLUMNS: Column<CompanyOut>[] = [
  { header: '编号', value: (c) => c.id }, { header: '名称', value: (c) => c.name, width: 24 }, { header: '统一社会信用代码', value: (c) => c.creditCode, width: 22 },
  { header: '联系人', value: (c) => c.contactName }, { header: '联系电话', value: (c) => c.contactPhone, width: 16 }, { header: '应急电话', value: (c) => c.emergencyPhone, width: 16 },
  { header: '维保电梯数', value: (c) => c.elevators },
];

/** 维保单位: read in scope (the companies maintaining devices in it; a company user its own), written by admins. */
export function companyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const one = (req: FastifyRequest, id: string) =>
    oneInScope(ctx, req, id, { select: SELECT, from: 'FROM maintenance_companies m', idColumn: 'm.id', scope: scopeSql.companies, what: 'maintenance company', map: toCompany });

  route(app, { method: 'GET', url: '/maintenance-companies', summary: 'Maintenance companies in scope', tags: ['maintenance-companies'], querystring: Query, response: listOf(Company), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const p = new SqlParams();
    const where = [scopeSql.companies(await scopeOf(ctx, req), p)];
    if (req.query.q) {
      const q = p.add(`%${req.query.q.toLowerCase()}%`);
      where.push(`(lower(m.name) LIKE ${q} OR lower(m.id) LIKE ${q})`);
    }
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, { select: SELECT, from: 'FROM maintenance_companies m', where, params: p, id: 'm.id', map: toCompany, sorts: { name: 'm.name', id: 'm.id' } }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'maintenance-companies', sheet: '维保单位' }, COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/maintenance-companies/:id', summary: 'A maintenance company in scope', tags: ['maintenance-companies'], params: IdParams, response: Company }, async (req) => one(req, req.params.id));

  route(app, { method: 'POST', url: '/maintenance-companies', summary: 'Register a maintenance company', tags: ['maintenance-companies'], roles: ['admin'], body: NewCompany, response: Company, status: 201 }, async (req, reply) => {
    checkCreditCode(req.body.creditCode ?? undefined);
    await ctx.registry.db.transaction(async (tx) => {
      const after = await insertRow(tx, 'maintenance_companies', { id: req.body.id, contactName: '', contactPhone: '', ...pick(req.body, KEYS) });
      await auditByUser(tx, req, 'maintenance_company.created', 'maintenance_company', req.body.id, { after });
    });
    return reply.code(201).send(await one(req, req.body.id));
  });

  route(app, { method: 'PATCH', url: '/maintenance-companies/:id', summary: 'Edit a maintenance company', tags: ['maintenance-companies'], roles: ['admin'], params: IdParams, body: PatchCompany, response: Company }, async (req) => {
    checkCreditCode(req.body.creditCode ?? undefined);
    await ctx.registry.db.transaction(async (tx) => {
      const r = await updateRow(tx, 'maintenance_companies', req.params.id, pick(req.body, KEYS), 'maintenance company');
      await auditByUser(tx, req, 'maintenance_company.updated', 'maintenance_company', req.params.id, changes(r.before, r.after));
    });
    return one(req, req.params.id);
  });
}
