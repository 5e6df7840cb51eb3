import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { AlarmActions } from '@tianwang/alerts/actions';
import { SecretBox } from '@tianwang/core/crypto';
import { silentLogger, type Logger } from '@tianwang/core/log';
import { createMetricsRegistry, type Registry as MetricsRegistry } from '@tianwang/core/metrics';
import { pipelineKeys } from '@tianwang/core/pipeline';
import type { Registry } from '@tianwang/core/registry';
import type { History, ShadowReader } from '@tianwang/ingest';
import { ScopeResolver } from './auth/scope.js';
import { SessionCache } from './auth/session-cache.js';
import { SessionStore } from './auth/sessions.js';
import { LoginThrottle, type ThrottleLimits } from './auth/throttle.js';
import type { ApiContext } from './api/context.js';
import { openApi } from './api/docs.js';
import { apiPlugin } from './api/index.js';
import { errorHandling, schemaErrorMessage } from './http/errors.js';
import { formBodies, securityHeaders } from './http/security.js';
import { createAlarmFeed } from './live/alarm-feed.js';
import { createLiveBoard } from './live/live-board.js';
import type { RelayClient } from './kitchens/relay-client.js';
import { ackPlugin } from './plugins/ack/index.js';
import { rectifyPlugin } from './plugins/rectify/index.js';
import { publicKitchensPlugin } from './plugins/public-kitchens/index.js';
import { AddressLimit } from './public/address-limit.js';
import { ViewerQuota } from './public/viewer-quota.js';
import { twilioStatusPlugin } from './plugins/receipts/twilio-status.js';
import { webPlugin } from './plugins/web/index.js';
import { relayCspOrigins } from './plugins/web/csp.js';

export interface AppOptions {
  registry: Registry;
  actions: AlarmActions;
  linkKey: Buffer;
  /** key 'rectify-link': the no-login reply links of kitchens' rectification notices */
  rectifyKey: Buffer;
  /** key 'camera-url': seals pull cameras' source URLs */
  cameraKey: Buffer;
  timezone: string;
  /** TW_TWILIO_AUTH_TOKEN (Twilio's status callbacks are checked with it) and TW_PUBLIC_URL */
  twilioAuthToken?: string | undefined;
  publicUrl: string;
  /** TW_DATA_DIR: rectification photos are stored under it */
  dataDir: string;
  /** the escalation table's minutes (the alarm timeline shows when the next stage is due) */
  principalMin: number;
  inspectorMin: number;
  trustProxy: boolean;
  /** sessions and sign-in throttling */
  redis: Redis;
  keyPrefix: string;
  session: { idleMs: number; maxMs: number; secureCookie: boolean };
  throttle: ThrottleLimits;
  history: History;
  /** the shadow change feed the live board subscribes to (one subscription per process) */
  shadows: ShadowReader;
  /** registry re-read period of the live board (TW_BOARD_REFRESH_S) */
  boardRefreshMs: number;
  /** the stream relay's API */
  relay: RelayClient;
  /** the public kitchen pages (阳光厨房): live grants signed with key 'play-url', limits (TW_PUBLIC_*), the relay as browsers reach it */
  publicPages: { playKey: Buffer; viewSeconds: number; viewersPerKitchen: number; requestsPerMin: number; relayPublicUrl?: string | undefined; relayPort: number };
  /** where browsers reach the relay (TW_STREAMS_PUBLIC_URL, else the relay API's URL): allowed in the app's connect-src */
  relayPublicUrl?: string;
  /** the built web app (default dashboard/dist/web) */
  webRoot?: string;
  log?: Logger;
  /** further registries served on /metrics with the dashboard's own (all-in-one mode) */
  extraMetrics?: MetricsRegistry[];
}

/** Builds the fastify app (tests call inject(); server.ts listens). The live board is built, not started: start it after ready(). */
export async function buildApp(o: AppOptions): Promise<{ app: FastifyInstance; metrics: MetricsRegistry; api: ApiContext }> {
  const metrics = createMetricsRegistry('dashboard');
  const requests = new Counter({ name: 'dashboard_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [metrics] });
  const ackActions = new Counter({ name: 'dashboard_ack_actions_total', help: 'Acknowledgement page views and actions by result', labelNames: ['action', 'result'], registers: [metrics] });
  // pino's Logger and fastify's base logger type differ only in generics
  const app: FastifyInstance = Fastify({
    loggerInstance: o.log?.child({ component: 'dashboard' }) as FastifyBaseLogger | undefined, trustProxy: o.trustProxy, bodyLimit: 64 * 1024,
    logController: new LogController({ disableRequestLogging: !o.log }),
    // verbose: each validation error carries its schema, whose description words the message (http/errors.ts)
    ajv: { customOptions: { verbose: true } },
    schemaErrorFormatter: schemaErrorMessage as unknown as FastifyServerOptions['schemaErrorFormatter'],
  });
  const keys = pipelineKeys(o.keyPrefix);
  const log = (o.log ?? silentLogger()).child({ component: 'dashboard' });
  // a connection of its own for the session cache's subscription (a subscribed connection runs no other commands)
  const sessionCache = new SessionCache(o.redis.duplicate({ connectionName: 'tw-dashboard-sessions', lazyConnect: true }), keys.sessionsEnded, log);
  const sessions = new SessionStore(o.redis, keys, o.session.idleMs, o.session.maxMs, Date.now, sessionCache);
  const live = createLiveBoard({ registry: o.registry, shadows: o.shadows, redis: o.redis, keys, sessions, timezone: o.timezone, refreshMs: o.boardRefreshMs, metrics, log });
  const publicLimit = new AddressLimit(o.redis, keys, o.publicPages.requestsPerMin);
  const api: ApiContext = {
    registry: o.registry,
    sessions,
    live,
    throttle: new LoginThrottle(o.redis, keys, o.throttle),
    scopes: new ScopeResolver(o.registry),
    history: o.history,
    cameraBox: new SecretBox(o.cameraKey),
    relay: o.relay,
    secureCookie: o.session.secureCookie,
    timezone: o.timezone,
    actions: o.actions,
    publicLimit,
    rectify: { actions: o.actions, linkKey: o.rectifyKey, publicUrl: o.publicUrl, timezone: o.timezone },
    dataDir: o.dataDir,
    escalationMin: { principal: o.principalMin, inspector: o.inspectorMin },
    log,
  };
  securityHeaders(app);
  formBodies(app);
  errorHandling(app);
  await app.register(cookie);
  await openApi(app);
  app.addHook('onResponse', async (req, reply) => {
    requests.inc({ route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });
  app.get('/healthz', async () => {
    await o.registry.db.query('SELECT 1');
    return { ok: true };
  });
  app.get('/metrics', async (_req, reply) => {
    const merged = o.extraMetrics?.length ? (await import('prom-client')).Registry.merge([metrics, ...o.extraMetrics]) : metrics;
    return reply.type(merged.contentType).header('cache-control', 'no-store').send(await merged.metrics());
  });
  await app.register(ackPlugin, { registry: o.registry, actions: o.actions, linkKey: o.linkKey, timezone: o.timezone, counter: ackActions });
  await app.register(rectifyPlugin, { registry: o.registry, linkKey: o.rectifyKey, dataDir: o.dataDir, timezone: o.timezone });
  await app.register(publicKitchensPlugin, {
    registry: o.registry, publicUrl: o.publicUrl, timezone: o.timezone, limit: publicLimit, relayPublicUrl: o.publicPages.relayPublicUrl, relayPort: o.publicPages.relayPort,
    live: { playKey: o.publicPages.playKey, viewSeconds: o.publicPages.viewSeconds, quota: new ViewerQuota(o.redis, keys, o.publicPages.viewersPerKitchen) },
  });
  await app.register(twilioStatusPlugin, { registry: o.registry, authToken: o.twilioAuthToken, publicUrl: o.publicUrl });
  await app.register(async (scoped) => apiPlugin(scoped, api), { prefix: '/api' });
  await app.register(webPlugin, { ...(o.webRoot ? { root: o.webRoot } : {}), ...(o.relayPublicUrl ? { connectOrigins: relayCspOrigins(o.relayPublicUrl) } : {}) });
  // live alarms: new and changed alarms as SSE `alarm` events, in scope
  const alarmFeed = createAlarmFeed({ db: o.registry.db, fanout: live.fanout, log });
  app.addHook('onReady', async () => sessionCache.start());
  app.addHook('onClose', async () => sessionCache.stop());
  app.addHook('onReady', async () => alarmFeed.start());
  app.addHook('onClose', async () => alarmFeed.stop());
  // live streams never end by themselves: end them before the server waits for open requests to finish
  app.addHook('preClose', async () => live.closeClients('shutdown'));
  return { app, metrics, api };
}
