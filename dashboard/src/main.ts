import { loadConfig } from '@tianwang/core/config';
import { createLogger } from '@tianwang/core/log';
import { openRegistry } from '@tianwang/core/registry';
import { runUntilSignal, Shutdown } from '@tianwang/core/service';
import { createDashboard } from './index.js';

// Distributed mode: the dashboard process (web UI, API, acknowledgement links, /metrics).
const config = loadConfig();
const log = createLogger({ level: config.common.logLevel, pretty: config.common.logPretty });
const shutdown = new Shutdown(log);
await runUntilSignal(
  {
    async start() {
      const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
      shutdown.add('registry', () => registry.close());
      const dashboard = createDashboard(config, { registry, log });
      await dashboard.start();
      shutdown.add('dashboard', () => dashboard.stop());
      log.info({ address: dashboard.address() }, 'dashboard listening');
    },
    stop: () => shutdown.run(),
  },
  log,
);
