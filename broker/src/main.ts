import { loadConfig } from '@tianwang/core/config';
import { resolveDevSecret } from '@tianwang/core/crypto';
import { createLogger } from '@tianwang/core/log';
import { serveMetrics } from '@tianwang/core/metrics';
import { openRegistry } from '@tianwang/core/registry';
import { runUntilSignal, Shutdown } from '@tianwang/core/service';
import { createBroker } from './broker.js';

/** Distributed mode: one broker node as its own process (`node broker/dist/main.js`). */
const config = loadConfig();
const log = createLogger({ level: config.common.logLevel, pretty: config.common.logPretty });
const shutdown = new Shutdown(log);

const service = {
  async start() {
    const servicePasswordMaster = await resolveDevSecret(config.common.dataDir, 'service-password', config.broker.mqttServicePassword);
    const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
    shutdown.add('registry', () => registry.close());
    const broker = createBroker(
      { broker: { ...config.broker, mqttServicePassword: servicePasswordMaster }, common: config.common },
      { devices: registry.devices, log },
    );
    await broker.start();
    shutdown.add('broker', () => broker.stop());
    const metricsServer = await serveMetrics([broker.metrics], config.broker.brokerMetricsPort, '0.0.0.0');
    shutdown.add('metrics', () => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
  },
  stop: () => shutdown.run(),
};

runUntilSignal(service, log).catch((err: unknown) => {
  log.fatal({ err }, 'broker failed to start');
  void shutdown.run().finally(() => process.exit(1));
});
