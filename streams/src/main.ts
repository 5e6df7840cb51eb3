import { Redis } from 'ioredis';
import { loadConfig } from '@tianwang/core/config';
import { createLogger } from '@tianwang/core/log';
import { serveMetrics } from '@tianwang/core/metrics';
import { openRegistry } from '@tianwang/core/registry';
import { runUntilSignal } from '@tianwang/core/service';
import { createStreams } from './index.js';

// The only file that reads the environment (through loadConfig) and handles signals.
const config = loadConfig();
const log = createLogger({ level: config.common.logLevel, pretty: config.common.logPretty });
const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
const redis = new Redis(config.common.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
redis.on('error', (err) => log.warn({ err }, 'redis error'));
const streams = createStreams(config, { registry, log, redis });
const metricsServer = await serveMetrics([streams.metrics], config.streams.streamsMetricsPort);
await runUntilSignal(
  {
    start: () => streams.start(),
    async stop() {
      await streams.stop();
      metricsServer.close();
      redis.disconnect();
      await registry.close();
    },
  },
  log,
);
