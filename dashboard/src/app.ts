import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import type { AlarmActions } from '@tianwang/alerts';
import type { Logger } from '@tianwang/core/log';
import { createMetricsRegistry, type Registry as MetricsRegistry } from '@tianwang/core/metrics';
import type { Registry } from '@tianwang/core/registry';
import { formBodies, securityHeaders } from './http/security.js';
import { ackPlugin } from './plugins/ack/index.js';
import { homePlugin } from './plugins/home/index.js';

export interface AppOptions {
  registry: Registry;
  actions: AlarmActions;
  linkKey: Buffer;
  timezone: string;
  trustProxy: boolean;
  log?: Logger;
  /** further registries served on /metrics with the dashboard's own (all-in-one mode) */
  extraMetrics?: MetricsRegistry[];
}

/** Builds the fastify app (tests call inject(); server.ts listens). */
export async function buildApp(o: AppOptions): Promise<{ app: FastifyInstance; metrics: MetricsRegistry }> {
  const metrics = createMetricsRegistry('dashboard');
  const requests = new Counter({ name: 'dashboard_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [metrics] });
  const ackActions = new Counter({ name: 'dashboard_ack_actions_total', help: 'Acknowledgement page views and actions by result', labelNames: ['action', 'result'], registers: [metrics] });
  // pino's Logger and fastify's base logger type differ only in generics
  const app: FastifyInstance = Fastify({ loggerInstance: o.log?.child({ component: 'dashboard' }) as FastifyBaseLogger | undefined, trustProxy: o.trustProxy, disableRequestLogging: !o.log, bodyLimit: 64 * 1024 });
  securityHeaders(app);
  formBodies(app);
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
  await app.register(homePlugin);
  return { app, metrics };
}
