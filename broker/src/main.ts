import { resolveDevSecret } from '@tianwang/core/crypto';
import { serveMetrics } from '@tianwang/core/metrics';
import { openRegistry } from '@tianwang/core/registry';
import { Shutdown, mainEntry } from '@tianwang/core/service';
import { createBroker } from './broker.js';

// Distributed mode: one broker node as its own process. Several nodes may run behind one address against the
// same Redis (and PostgreSQL for the registry); they behave as one broker (docs/broker.md).
await mainEntry('broker', async (config, log) => {
  const shutdown = new Shutdown(log);
  return {
    async start() {
      // development: a service master password generated once into the data folder (production requires it)
      const master = await resolveDevSecret(config.common.dataDir, 'service-password', config.broker.mqttServicePassword);
      const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
      shutdown.add('registry', () => registry.close());
      const broker = createBroker({ broker: { ...config.broker, mqttServicePassword: master }, common: config.common }, { devices: registry.devices, log });
      await broker.start();
      shutdown.add('broker', () => broker.stop());
      const server = await serveMetrics([broker.metrics], config.broker.brokerMetricsPort, '0.0.0.0');
      shutdown.add('metrics', () => new Promise<void>((r) => server.close(() => r())));
    },
    stop: () => shutdown.run(),
  };
});
