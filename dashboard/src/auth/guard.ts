import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError, UserError } from '@tianwang/core/errors';
import type { SessionStore } from './sessions.js';

export const SESSION_COOKIE = 'tw_sid';
export const CSRF_HEADER = 'x-csrf-token';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function csrfOk(req: FastifyRequest): boolean {
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !req.session) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(req.session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The API's gate, on every request in its context, before the body is read:
 *   1. the session from the cookie (refreshing its idle expiry);
 *   2. a route that is not public needs one: 401 TW_UNAUTHENTICATED;
 *   3. a state-changing method needs the session's CSRF token in `x-csrf-token`: 403 TW_CSRF_INVALID
 *      (the cookie is SameSite=Strict as well; the token is the layer that does not depend on the browser);
 *   4. a route limited to some roles refuses the others: 403 TW_FORBIDDEN.
 * Scope (which records) is each route's business: out of scope answers 404 like an unknown id.
 * Sign-in is public and exempt from the token (there is no session yet); its JSON body cannot be sent
 * cross-site without a CORS preflight, which this server never grants.
 */
export function authGuard(app: FastifyInstance, sessions: SessionStore): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req) => {
    const id = req.cookies[SESSION_COOKIE];
    if (id) req.session = (await sessions.get(id)) ?? null;
    const cfg = req.routeOptions.config;
    if (cfg.auth !== 'session') return;
    if (!req.session) throw new UnauthenticatedError('sign in first');
    if (STATE_CHANGING.has(req.method) && !csrfOk(req)) throw new UserError('TW_CSRF_INVALID', `the ${CSRF_HEADER} header is missing or wrong`, 403);
    if (cfg.roles && !cfg.roles.includes(req.session.user.role)) throw new ForbiddenError(`not available to the ${req.session.user.role} role`);
  });
}
