import type { FastifyInstance } from 'fastify';
import { createAlarmActions, type AlarmActions } from '@tianwang/alerts';
import type { PlatformConfig } from '@tianwang/core/config';
import { deriveKey, resolveDevSecret } from '@tianwang/core/crypto';
import type { Logger } from '@tianwang/core/log';
import type { Registry as MetricsRegistry } from '@tianwang/core/metrics';
import type { Registry } from '@tianwang/core/registry';
import { Shutdown } from '@tianwang/core/service';
import { buildApp } from './app.js';

export { buildApp, type AppOptions } from './app.js';

export interface DashboardDeps {
  registry: Registry;
  log?: Logger;
  /** the master secret; default TW_SECRET_KEY or the development secret in TW_DATA_DIR */
  masterSecret?: string;
  /** alarm lifecycle with escalation stop; default: built on TW_REDIS_URL (and closed by stop()) */
  actions?: AlarmActions;
  /** registries of services in the same process, merged into /metrics (all-in-one) */
  extraMetrics?: MetricsRegistry[];
}

export interface Dashboard {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the fastify app; ready after start() (or `await dashboard.ready()` for inject() without listening) */
  readonly app: FastifyInstance;
  ready(): Promise<FastifyInstance>;
  metrics(): MetricsRegistry;
  /** the bound address after start(), e.g. http://127.0.0.1:8080 */
  address(): string | undefined;
}

type DashboardConfig = Pick<PlatformConfig, 'common' | 'dashboard' | 'alerts'>;

/** The dashboard service: builds the app (ready()), listens on start(). */
export function createDashboard(config: DashboardConfig, deps: DashboardDeps): Dashboard {
  const shutdown = new Shutdown(deps.log);
  let built: Promise<{ app: FastifyInstance; metrics: MetricsRegistry }> | undefined;
  let current: { app: FastifyInstance; metrics: MetricsRegistry } | undefined;
  let address: string | undefined;
  let started = false;

  const ready = () => {
    built ??= (async () => {
      const secret = deps.masterSecret ?? (await resolveDevSecret(config.common.dataDir, 'secret.key', config.common.secretKey));
      const actions = deps.actions ?? createAlarmActions({ registry: deps.registry, redisUrl: config.common.redisUrl, keyPrefix: config.common.keyPrefix, ...(deps.log ? { log: deps.log } : {}) });
      if (!deps.actions) shutdown.add('alarm actions', () => actions.close());
      const r = await buildApp({
        registry: deps.registry, actions, linkKey: deriveKey(secret, 'sms-link'), timezone: config.alerts.timezone, trustProxy: config.dashboard.trustProxy,
        ...(deps.log ? { log: deps.log } : {}), ...(deps.extraMetrics ? { extraMetrics: deps.extraMetrics } : {}),
      });
      shutdown.add('http', () => r.app.close());
      await r.app.ready();
      current = r;
      return r;
    })();
    return built.then((r) => r.app);
  };

  return {
    get app() {
      if (!current) throw new Error('dashboard not built yet: await ready() or start()');
      return current.app;
    },
    ready,
    metrics() {
      if (!current) throw new Error('dashboard not built yet');
      return current.metrics;
    },
    address: () => address,
    async start() {
      if (started) return;
      started = true;
      const app = await ready();
      address = await app.listen({ host: config.dashboard.httpHost, port: config.dashboard.httpPort });
    },
    async stop() {
      await shutdown.runAndReset();
      built = undefined;
      current = undefined;
      started = false;
      address = undefined;
    },
  };
}
