import { serveMetrics } from '@tianwang/core/metrics';
import { openRegistry } from '@tianwang/core/registry';
import { Shutdown, mainEntry } from '@tianwang/core/service';
import { createIngest } from './ingest.js';

/** Distributed mode: one ingest worker as its own process (`node ingest/dist/main.js`); run as many as needed. */
await mainEntry('ingest', async (config, log) => {
  const shutdown = new Shutdown(log);
  return {
    async start() {
      const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
      shutdown.add('registry', () => registry.close());
      const ingest = createIngest(config, { registry, log });
      await ingest.start();
      shutdown.add('ingest', () => ingest.stop());
      const server = await serveMetrics([ingest.metrics], config.ingest.ingestMetricsPort, '0.0.0.0');
      shutdown.add('metrics', () => new Promise<void>((resolve) => server.close(() => resolve())));
    },
    stop: () => shutdown.run(),
  };
});
