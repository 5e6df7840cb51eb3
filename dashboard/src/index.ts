import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createAlarmActions, type AlarmActions } from '@tianwang/alerts/actions';
import type { PlatformConfig } from '@tianwang/core/config';
import { deriveKey, resolveDevSecret } from '@tianwang/core/crypto';
import { silentLogger, type Logger } from '@tianwang/core/log';
import type { Registry as MetricsRegistry } from '@tianwang/core/metrics';
import type { Registry } from '@tianwang/core/registry';
import { Lifecycle, type Shutdown } from '@tianwang/core/service';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { createHistory, createShadowReader, storagePolicyOf, type History, type ShadowReader } from '@tianwang/ingest';
import { buildApp } from './app.js';
import { closeWithin, trackRequests } from './http/bounded-close.js';
import { startReportJobs, type ReportJobs } from './reports/report-jobs.js';
import { RelayClient } from './kitchens/relay-client.js';
import type { ApiContext } from './api/context.js';

export { buildApp, type AppOptions } from './app.js';

export interface DashboardDeps {
  registry: Registry;
  log?: Logger;
  /** the master secret; default TW_SECRET_KEY or the development secret in TW_DATA_DIR */
  masterSecret?: string;
  /** alarm lifecycle with escalation stop; default: built on TW_REDIS_URL (and closed by stop()) */
  actions?: AlarmActions;
  /** telemetry history; default: InfluxQL over the TW_INFLUX_* server */
  history?: History;
  /** device shadows and their change feed; default: a reader on TW_REDIS_URL (and closed by stop()) */
  shadows?: ShadowReader;
  /** the built web app; default dashboard/dist/web */
  webRoot?: string;
  /** registries of services in the same process, merged into /metrics (all-in-one) */
  extraMetrics?: MetricsRegistry[];
}

export interface Dashboard {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the fastify app; ready after start() (or `await dashboard.ready()` for inject() without listening) */
  readonly app: FastifyInstance;
  /** the API's shared state (sessions, scope, board); ready with the app */
  readonly api: ApiContext;
  ready(): Promise<FastifyInstance>;
  metrics(): MetricsRegistry;
  /** the bound address after start(), e.g. http://127.0.0.1:8080 */
  address(): string | undefined;
  /** the weekly report job (run it now: an operator, a test); ready with the app */
  reports(): ReportJobs;
}

// ingest: its storage policy (TW_INGEST_STORE*) says how stored telemetry reads back as history
type DashboardConfig = Pick<PlatformConfig, 'common' | 'dashboard' | 'alerts' | 'influx' | 'streams' | 'ingest'>;
type Built = Awaited<ReturnType<typeof buildApp>>;

/**
 * The dashboard service: builds the app (ready()), listens on start(). Two lifecycles (core/src/service/lifecycle.ts):
 * `built` opens the app and its connections (tests call ready() and inject() without a port), `serving` builds
 * through `built` and listens; stop() ends both, so a dashboard only built is released too.
 */
export function createDashboard(config: DashboardConfig, deps: DashboardDeps): Dashboard {
  const log = (deps.log ?? silentLogger()).child({ component: 'dashboard' });
  let current: Built | undefined;
  let reportJobs: ReportJobs | undefined;
  let address: string | undefined;

  const build = async (shutdown: Shutdown) => {
    const c = config.common;
    const d = config.dashboard;
    shutdown.add('forget the app', () => {
      current = undefined;
      reportJobs = undefined;
    });
    const relayApi = d.streamsApiUrl ?? `http://127.0.0.1:${config.streams.streamsHttpPort}`;
    const secret = deps.masterSecret ?? (await resolveDevSecret(c.dataDir, 'secret.key', c.secretKey));
    const a = config.alerts;
    const actions = deps.actions ?? createAlarmActions({
      registry: deps.registry, redisUrl: c.redisUrl, keyPrefix: c.keyPrefix, ...(deps.log ? { log: deps.log } : {}),
      sms: { signName: a.aliyunSignName, locale: a.smsLocale, attempts: a.smsMaxAttempts, backoffMs: a.smsBackoffMs },
    });
    if (!deps.actions) shutdown.add('alarm actions', () => actions.close());
    // sessions and throttling: commands fail fast while Redis is away (the request answers 503), never queue for ever
    const redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 2, connectionName: 'tw-dashboard' });
    redis.on('error', (err) => log.warn({ err }, 'redis error'));
    shutdown.add('redis', () => redis.quit().then(() => undefined, () => redis.disconnect()));
    const shadows = deps.shadows ?? createShadowReader(c.redisUrl, pipelineKeys(c.keyPrefix));
    if (!deps.shadows) shutdown.add('shadow reader', () => shadows.close());
    const r = await buildApp({
      registry: deps.registry, actions, linkKey: deriveKey(secret, 'sms-link'), rectifyKey: deriveKey(secret, 'rectify-link'), cameraKey: deriveKey(secret, 'camera-url'),
      dataDir: c.dataDir, twilioAuthToken: config.alerts.twilioAuthToken, publicUrl: c.publicUrl, principalMin: config.alerts.escalatePrincipalMin, inspectorMin: config.alerts.escalateInspectorMin,
      timezone: config.alerts.timezone, trustProxy: d.trustProxy, redis, keyPrefix: c.keyPrefix,
      session: { idleMs: d.sessionIdleMin * 60_000, maxMs: d.sessionMaxH * 3_600_000, secureCookie: c.publicUrl.startsWith('https:') },
      throttle: { windowMs: d.loginWindowMin * 60_000, perAccount: d.loginMaxFailures, perAddress: d.loginMaxFailuresAddress },
      history: deps.history ?? createHistory(config.influx, { policy: storagePolicyOf(config.ingest) }), shadows, boardRefreshMs: d.boardRefreshS * 1000,
      publicPages: {
        playKey: deriveKey(secret, 'play-url'), viewSeconds: d.publicViewS, viewersPerKitchen: d.publicViewersPerKitchen, requestsPerMin: d.publicRequestsPerMin,
        relayPublicUrl: config.streams.streamsPublicUrl, relayPort: config.streams.streamsHttpPort,
      },
      relay: new RelayClient(relayApi, secret),
      // the relay writes play URLs for TW_STREAMS_PUBLIC_URL, else for the host the dashboard called it at
      relayPublicUrl: config.streams.streamsPublicUrl ?? relayApi,
      ...(deps.webRoot ? { webRoot: deps.webRoot } : {}),
      ...(deps.log ? { log: deps.log } : {}), ...(deps.extraMetrics ? { extraMetrics: deps.extraMetrics } : {}),
    });
    shutdown.add('live board', () => r.api.live.stop());
    const reports = await startReportJobs({ ctx: r.api, redis, prefix: pipelineKeys(c.keyPrefix).bullPrefix, cron: d.weeklyReportCron, log });
    shutdown.add('report jobs', () => reports.close());
    reportJobs = reports;
    // closing the app also closes its listener, if serving opened one; requests in progress get a bounded grace
    const requestsInProgress = trackRequests(r.app.server);
    shutdown.add('http', () => closeWithin(r.app, requestsInProgress, log));
    await r.app.ready();
    await r.api.live.start();
    current = r;
  };
  const built = new Lifecycle(build, log);

  const serving = new Lifecycle(async (shutdown) => {
    await built.start();
    shutdown.add('app', () => built.stop());
    const app = current!.app;
    address = await app.listen({ host: config.dashboard.httpHost, port: config.dashboard.httpPort });
    shutdown.add('address', () => {
      address = undefined;
    });
  }, log);

  const app = () => {
    if (!current) throw new Error('dashboard not built yet: await ready() or start()');
    return current;
  };
  return {
    get app() {
      return app().app;
    },
    get api() {
      return app().api;
    },
    ready: () => built.start().then(() => app().app),
    metrics: () => app().metrics,
    address: () => address,
    reports() {
      if (!reportJobs) throw new Error('dashboard not built yet');
      return reportJobs;
    },
    start: () => serving.start(),
    async stop() {
      await serving.stop();
      // a dashboard that was only built (ready() without start()) holds its connections too
      await built.stop();
    },
  };
}
