import { openRegistry } from '@tianwang/core/registry';
import { Shutdown, mainEntry } from '@tianwang/core/service';
import { createDashboard } from './index.js';

// Distributed mode: the dashboard process (web UI, API, acknowledgement links, /metrics).
await mainEntry('dashboard', async (config, log) => {
  const shutdown = new Shutdown(log);
  return {
    async start() {
      const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
      shutdown.add('registry', () => registry.close());
      const dashboard = createDashboard(config, { registry, log });
      await dashboard.start();
      shutdown.add('dashboard', () => dashboard.stop());
      log.info({ address: dashboard.address() }, 'dashboard listening');
    },
    stop: () => shutdown.run(),
  };
});
