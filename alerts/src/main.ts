import { serveMetrics } from '@tianwang/core/metrics';
import { openRegistry } from '@tianwang/core/registry';
import { Shutdown, mainEntry } from '@tianwang/core/service';
import { createAlerts } from './create-alerts.js';

// Distributed mode: one alerts worker process. Several may run against the same Redis and PostgreSQL.
await mainEntry('alerts', async (config, log) => {
  const shutdown = new Shutdown(log);
  return {
    async start() {
      const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
      shutdown.add('registry', () => registry.close());
      const alerts = createAlerts(config, { registry, log });
      await alerts.start();
      shutdown.add('alerts', () => alerts.stop());
      const server = await serveMetrics([alerts.metrics], config.alerts.alertsMetricsPort, '0.0.0.0');
      shutdown.add('metrics', () => new Promise<void>((r) => server.close(() => r())));
    },
    stop: () => shutdown.run(),
  };
});
