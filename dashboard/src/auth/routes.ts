import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnauthenticatedError, UserError } from '@tianwang/core/errors';
import { auditQueries, ROLES } from '@tianwang/core/registry';
import { auditByUser, type ApiContext } from '../api/context.js';
import { route } from '../api/route.js';
import { SESSION_COOKIE } from './guard.js';
import { sessionUser, type Session } from './sessions.js';

export const UserOut = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES as [string, ...string[]]),
  districtId: z.string().nullable(),
  unitId: z.string().nullable(),
  maintenanceCompanyId: z.string().nullable(),
});
const Me = z.object({ user: UserOut, csrfToken: z.string() });
const LoginBody = z.object({ username: z.string().min(1).max(80), password: z.string().min(1).max(200) });
const PasswordBody = z.object({ current: z.string().min(1).max(200), next: z.string().min(10, 'at least 10 characters').max(200) });

const me = (s: Session) => ({ user: s.user, csrfToken: s.csrf });

/** Sign-in, sign-out, password change and "who am I" (docs/dashboard.md "Sessions"). */
export function authRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const setCookie = (reply: FastifyReply, id: string) =>
    reply.setCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/', secure: ctx.secureCookie });

  /** 429 when the account or the address is throttled (checked before any password is). */
  async function throttled(req: FastifyRequest, reply: FastifyReply, username: string): Promise<void> {
    const verdict = await ctx.throttle.check(username, req.ip);
    if (verdict.ok) return;
    req.log.warn({ username, ip: req.ip, by: verdict.by }, 'sign-in throttled');
    reply.header('retry-after', String(verdict.retryAfterS));
    throw new UserError('TW_RATE_LIMITED', `too many failed sign-ins; try again in ${Math.ceil(verdict.retryAfterS / 60)} min`, 429);
  }

  route(app, { method: 'POST', url: '/auth/login', auth: 'public', summary: 'Sign in', tags: ['auth'], body: LoginBody, response: Me,
    description: 'Answers the user and the CSRF token, and sets the HttpOnly session cookie `tw_sid`.' }, async (req, reply) => {
    const username = req.body.username.trim().toLowerCase();
    await throttled(req, reply, username);
    const user = await ctx.registry.users.authenticate(username, req.body.password);
    if (!user) {
      await ctx.throttle.fail(username, req.ip);
      // the username tried is the actor: there is no user to name (and an unknown one must look like a known one)
      await auditQueries(ctx.registry.db).append({ actor: username.slice(0, 80), actorType: 'user', action: 'auth.login_failed', subjectType: 'user', subjectId: username.slice(0, 80), via: 'dashboard', detail: { ip: req.ip } });
      throw new UnauthenticatedError('wrong username or password');
    }
    await ctx.throttle.succeed(username);
    // a session the browser already had ends: a sign-in always starts a fresh one (no session fixation)
    if (req.session) await ctx.sessions.destroy(req.session.hash, req.session.user.id);
    const { id, session } = await ctx.sessions.create(sessionUser(user));
    req.session = session;
    await auditByUser(ctx.registry.db, req, 'auth.login', 'user', user.id);
    setCookie(reply, id);
    return me(session);
  });

  route(app, { method: 'POST', url: '/auth/logout', summary: 'Sign out', tags: ['auth'], response: null }, async (req, reply) => {
    await ctx.sessions.destroy(req.session.hash, req.session.user.id);
    await auditByUser(ctx.registry.db, req, 'auth.logout', 'user', req.session.user.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  route(app, { method: 'POST', url: '/auth/password', summary: 'Change my password', tags: ['auth'], body: PasswordBody, response: null,
    description: 'Revokes every session of the user and sets a fresh one for the caller: read the new CSRF token with GET /me.' }, async (req, reply) => {
    const user = req.session.user;
    await throttled(req, reply, user.username);
    if (!(await ctx.registry.users.checkPassword(user.id, req.body.current))) {
      await ctx.throttle.fail(user.username, req.ip);
      await auditByUser(ctx.registry.db, req, 'auth.password_change_failed', 'user', user.id);
      throw new UserError('TW_FORBIDDEN', 'the current password is wrong', 403);
    }
    if (req.body.next === req.body.current) throw new UserError('TW_PAYLOAD_INVALID', 'the new password must differ from the current one');
    await ctx.registry.users.setPassword(user.id, req.body.next);
    const revoked = await ctx.sessions.revokeUser(user.id);
    const fresh = await ctx.sessions.create(user);
    await auditByUser(ctx.registry.db, req, 'auth.password_changed', 'user', user.id, { sessionsRevoked: revoked });
    setCookie(reply, fresh.id);
    return reply.code(204).send();
  });

  route(app, { method: 'GET', url: '/me', summary: 'The signed-in user and the CSRF token', tags: ['auth'], response: Me }, async (req) => me(req.session));
}
