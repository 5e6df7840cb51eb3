import type { FastifyRequest } from 'fastify';
import type { AlarmActions } from '@tianwang/alerts/actions';
import type { SecretBox } from '@tianwang/core/crypto';
import type { Logger } from '@tianwang/core/log';
import { auditQueries, type Queryable, type Registry } from '@tianwang/core/registry';
import type { History } from '@tianwang/ingest';
import type { LoginThrottle } from '../auth/throttle.js';
import type { Scope, ScopeResolver } from '../auth/scope.js';
import type { SessionStore } from '../auth/sessions.js';
import type { LiveBoard } from '../live/live-board.js';
import type { RelayClient } from '../kitchens/relay-client.js';
import type { RectifyDeps } from '../kitchens/rectification.js';
import type { AddressLimit } from '../public/address-limit.js';

/** What the API's route modules share (built once in api/index.ts). */
export interface ApiContext {
  registry: Registry;
  sessions: SessionStore;
  throttle: LoginThrottle;
  scopes: ScopeResolver;
  history: History;
  /** the in-memory board, its shadow feed and the SSE fan-out */
  live: LiveBoard;
  /** seals pull cameras' source URLs (key 'camera-url') */
  cameraBox: SecretBox;
  /** the session cookie gets `Secure` (TW_PUBLIC_URL is https) */
  secureCookie: boolean;
  /** the stream relay's API (play URLs) */
  relay: RelayClient;
  /** IANA zone of "today" for calendar marks (TW_TIMEZONE) */
  timezone: string;
  /** the alarm lifecycle (acknowledge, rectify, verify) without alerts' runtime */
  actions: AlarmActions;
  /** TW_DATA_DIR (rectification photos under alarm-photos/) */
  dataDir: string;
  /** requests per client address per minute on what anyone may open (TW_PUBLIC_REQUESTS_PER_MIN) */
  publicLimit: AddressLimit;
  /** the rectification loop of failed spot checks: notices through alerts' SMS queue, reply links */
  rectify: RectifyDeps;
  /** minutes of the escalation table's later stages */
  escalationMin: { principal: number; inspector: number };
  log: Logger;
}

const scopes = new WeakMap<FastifyRequest, Promise<Scope>>();

/** The caller's scope, computed once per request. */
export function scopeOf(ctx: ApiContext, req: FastifyRequest): Promise<Scope> {
  let s = scopes.get(req);
  if (!s) {
    if (!req.session) throw new Error('scopeOf on a request without a session');
    s = ctx.scopes.resolve(req.session.user);
    scopes.set(req, s);
  }
  return s;
}

/** An audit entry for what a signed-in user did through the dashboard (pass a transaction to record it with the change). */
export async function auditByUser(
  db: Queryable,
  req: FastifyRequest,
  action: string,
  subjectType: string,
  subjectId: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const user = req.session?.user;
  await auditQueries(db).append({
    actor: user ? `user:${user.id}` : 'anonymous',
    actorType: 'user',
    action,
    subjectType,
    subjectId,
    via: 'dashboard',
    detail: { ...detail, ip: req.ip },
  });
}
