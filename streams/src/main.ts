import { Redis } from 'ioredis';
import { serveMetrics } from '@tianwang/core/metrics';
import { openRegistry } from '@tianwang/core/registry';
import { Shutdown, mainEntry } from '@tianwang/core/service';
import { createStreams } from './index.js';

// Distributed mode: the kitchen camera relay as its own process (`node streams/dist/main.js`).
await mainEntry('streams', async (config, log) => {
  const shutdown = new Shutdown(log);
  return {
    async start() {
      const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
      shutdown.add('registry', () => registry.close());
      const redis = new Redis(config.common.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
      redis.on('error', (err) => log.warn({ err }, 'redis error'));
      await redis.connect();
      shutdown.add('redis', () => redis.quit().catch(() => redis.disconnect()));
      const streams = createStreams(config, { registry, log, redis });
      await streams.start();
      shutdown.add('streams', () => streams.stop());
      const server = await serveMetrics([streams.metrics], config.streams.streamsMetricsPort, '0.0.0.0');
      shutdown.add('metrics', () => new Promise<void>((r) => server.close(() => r())));
    },
    stop: () => shutdown.run(),
  };
});
