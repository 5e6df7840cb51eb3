import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, UserError } from '@tianwang/core/errors';
import { hashPassword } from '@tianwang/core/crypto';
import { ROLES, type Queryable } from '@tianwang/core/registry';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { E164, Id, IdParams } from '../schema.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { changes, insertRow, oneInScope, pick, updateRow } from './crud.js';

const Role = z.enum(ROLES as [string, ...string[]]);
const Password = z.string().min(10, 'at least 10 characters').max(200);
const Fields = {
  displayName: z.string().trim().min(1).max(60),
  role: Role,
  phone: E164.nullable(),
  districtId: Id.nullable().meta({ description: 'inspector: the district node it supervises' }),
  unitId: Id.nullable().meta({ description: 'unit: its using unit' }),
  maintenanceCompanyId: Id.nullable().meta({ description: 'maintenance: its company' }),
  enabled: z.boolean(),
  lead: z.boolean().meta({ description: "inspector: the district node's lead inspector (gets the weekly report's SMS summary); setting it moves the flag from the node's previous lead" }),
};
const KEYS = Object.keys(Fields);
/** what changes a user's scope: sessions keep role and scope, so any of these revokes them */
const SCOPE_KEYS = ['role', 'districtId', 'unitId', 'maintenanceCompanyId'] as const;
const NewUser = z.object({
  id: Id, username: z.string().regex(/^[a-z0-9._-]{3,40}$/, '3–40 of a-z 0-9 . _ -'), password: Password,
  ...z.object(Fields).partial().shape, displayName: Fields.displayName, role: Fields.role,
});
const PatchUser = z.object(Fields).partial();
const User = z.object({
  id: z.string(), username: z.string(), displayName: z.string(), role: z.string(), phone: z.string().nullable(), districtId: z.string().nullable(), unitId: z.string().nullable(),
  maintenanceCompanyId: z.string().nullable(), enabled: z.boolean(), lead: z.boolean(), lastLoginAt: z.string().nullable(), passwordChangedAt: z.string(),
});
type UserOut = z.input<typeof User>;
const Query = listQuery(['username', 'displayName', 'role', 'id'], 'username', { q: z.string().max(100).optional(), role: Role.optional(), enabled: z.boolean().optional() });
const SELECT = 'usr.id, usr.username, usr.display_name, usr.role, usr.phone, usr.district_id, usr.unit_id, usr.maintenance_company_id, usr.enabled, usr.lead, usr.last_login_at, usr.password_changed_at';
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const toUser = (r: Record<string, unknown>): UserOut => ({
  id: r.id as string, username: r.username as string, displayName: r.display_name as string, role: r.role as string, phone: (r.phone as string | null) ?? null,
  districtId: (r.district_id as string | null) ?? null, unitId: (r.unit_id as string | null) ?? null, maintenanceCompanyId: (r.maintenance_company_id as string | null) ?? null,
  enabled: r.enabled as boolean, lead: r.lead === true, lastLoginAt: iso(r.last_login_at), passwordChangedAt: iso(r.password_changed_at)!,
});
const ROLE_ZH: Record<string, string> = { admin: '管理员', inspector: '监管人员', unit: '使用单位', maintenance: '维保单位' };
const COLUMNS: Column<UserOut>[] = [
  { header: '用户名', value: (u) => u.username, width: 16 }, { header: '姓名', value: (u) => u.displayName, width: 20 }, { header: '角色', value: (u) => ROLE_ZH[u.role] ?? u.role },
  { header: '手机', value: (u) => u.phone, width: 16 }, { header: '辖区', value: (u) => u.districtId }, { header: '使用单位', value: (u) => u.unitId },
  { header: '维保单位', value: (u) => u.maintenanceCompanyId }, { header: '启用', value: (u) => (u.enabled ? '是' : '') }, { header: '牵头监管', value: (u) => (u.lead ? '是' : '') },
  { header: '最近登录', value: (u) => (u.lastLoginAt ? new Date(u.lastLoginAt) : null), width: 20 },
];

/** Each role names what it is bound to (the registry checks unit and maintenance too; the API says it plainly). */
function checkBinding(u: { role?: string | undefined; districtId?: string | null | undefined; unitId?: string | null | undefined; maintenanceCompanyId?: string | null | undefined; lead?: boolean | undefined }): void {
  if (u.lead && u.role !== 'inspector') throw new UserError('TW_PAYLOAD_INVALID', 'lead: only an inspector leads a district');
  if (u.role === 'inspector' && !u.districtId) throw new UserError('TW_PAYLOAD_INVALID', 'districtId: an inspector supervises a district node');
  if (u.role === 'unit' && !u.unitId) throw new UserError('TW_PAYLOAD_INVALID', 'unitId: a unit user belongs to a unit');
  if (u.role === 'maintenance' && !u.maintenanceCompanyId) throw new UserError('TW_PAYLOAD_INVALID', 'maintenanceCompanyId: a maintenance user belongs to a company');
}

/** One lead per district node (index users_one_lead): naming a new one takes the flag from the node's previous lead, audited. */
async function dropLead(tx: Queryable, req: FastifyRequest, userId: string, districtId: string | null): Promise<void> {
  const rows = await tx.query<{ id: string }>(
    'UPDATE users SET lead = false WHERE lead AND id <> $1 AND district_id = COALESCE($2, (SELECT u.district_id FROM users u WHERE u.id = $1)) RETURNING id',
    [userId, districtId],
  );
  for (const r of rows) await auditByUser(tx, req, 'user.updated', 'user', r.id, { before: { lead: true }, after: { lead: false } });
}

/**
 * Users (admin; inspectors read the users of their district tree). Disabling a user, changing its role or scope,
 * or setting its password revokes every session it has and ends its live streams at once.
 */
export function userRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const one = (req: FastifyRequest, id: string) => oneInScope(ctx, req, id, { select: SELECT, from: 'FROM users usr', idColumn: 'usr.id', scope: scopeSql.users, what: 'user', map: toUser });
  const revoke = async (userId: string, why: string) => {
    const n = await ctx.sessions.revokeUser(userId);
    ctx.live.fanout.closeUser(userId, 'TW_UNAUTHENTICATED');
    ctx.log.info({ userId, sessions: n, why }, 'user sessions revoked');
    return n;
  };

  route(app, { method: 'GET', url: '/users', summary: 'Users in scope', tags: ['users'], roles: ['admin', 'inspector'], querystring: Query, response: listOf(User), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const p = new SqlParams();
    const where = [scopeSql.users(await scopeOf(ctx, req), p)];
    if (req.query.q) {
      const q = p.add(`%${req.query.q.toLowerCase()}%`);
      where.push(`(lower(usr.username) LIKE ${q} OR lower(usr.display_name) LIKE ${q})`);
    }
    if (req.query.role) where.push(`usr.role = ${p.add(req.query.role)}`);
    if (req.query.enabled !== undefined) where.push(`usr.enabled = ${p.add(req.query.enabled)}`);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, { select: SELECT, from: 'FROM users usr', where, params: p, id: 'usr.id', map: toUser, sorts: { username: 'usr.username', displayName: 'usr.display_name', role: 'usr.role', id: 'usr.id' } }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'users', sheet: '用户' }, COLUMNS, page.items) : page;
  });

  route(app, { method: 'GET', url: '/users/:id', summary: 'A user in scope', tags: ['users'], roles: ['admin', 'inspector'], params: IdParams, response: User }, async (req) => one(req, req.params.id));

  route(app, { method: 'POST', url: '/users', summary: 'Create a user', tags: ['users'], roles: ['admin'], body: NewUser, response: User, status: 201 }, async (req, reply) => {
    const b = req.body;
    checkBinding(b);
    const passwordHash = await hashPassword(b.password);
    await ctx.registry.db.transaction(async (tx) => {
      if (b.lead) await dropLead(tx, req, b.id, b.districtId ?? null);
      const after = await insertRow(tx, 'users', { id: b.id, username: b.username, ...pick(b, KEYS), passwordHash });
      await auditByUser(tx, req, 'user.created', 'user', b.id, { after });
    });
    return reply.code(201).send(await one(req, b.id));
  });

  route(app, { method: 'PATCH', url: '/users/:id', summary: 'Edit, disable or enable a user (role or scope changes revoke its sessions)', tags: ['users'], roles: ['admin'], params: IdParams, body: PatchUser, response: User }, async (req) => {
    const self = req.params.id === req.session.user.id;
    if (self && (req.body.enabled === false || (req.body.role !== undefined && req.body.role !== 'admin'))) throw new ForbiddenError('an administrator cannot disable or demote itself');
    const r = await ctx.registry.db.transaction(async (tx) => {
      if (req.body.lead) await dropLead(tx, req, req.params.id, req.body.districtId ?? null);
      const r = await updateRow(tx, 'users', req.params.id, pick(req.body, KEYS), 'user');
      checkBinding(r.after as Parameters<typeof checkBinding>[0]);
      const action = req.body.enabled === false && r.before.enabled ? 'user.disabled' : req.body.enabled === true && !r.before.enabled ? 'user.enabled' : 'user.updated';
      await auditByUser(tx, req, action, 'user', req.params.id, changes(r.before, r.after));
      return r;
    });
    const scopeChanged = SCOPE_KEYS.some((k) => r.before[k] !== r.after[k]);
    if (!r.after.enabled || scopeChanged) await revoke(req.params.id, !r.after.enabled ? 'disabled' : 'role or scope changed');
    return one(req, req.params.id);
  });

  route(app, { method: 'POST', url: '/users/:id/password', summary: "Set a user's password (revokes its sessions)", tags: ['users'], roles: ['admin'], params: IdParams, body: z.object({ password: Password }), response: null }, async (req, reply) => {
    await ctx.registry.db.transaction(async (tx) => {
      const rows = await tx.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1 RETURNING id', [req.params.id, await hashPassword(req.body.password)]);
      if (!rows.length) throw new NotFoundError(`user ${req.params.id}`);
      await auditByUser(tx, req, 'user.password_set', 'user', req.params.id);
    });
    await revoke(req.params.id, 'password set by an administrator');
    return reply.code(204).send();
  });
}
