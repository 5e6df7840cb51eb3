import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '@tianwang/core/config';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { freePort, portAccepts, serviceLifecycleContract, startRedis, type LifecycleSubject, type RedisServer } from '@tianwang/core/testing';
import { createDashboard } from '../src/index.js';
import { SECRET } from './helpers/world.js';

// Redis of this file alone (every client but the probe is the dashboard's) and one registry for every dashboard
let redis: RedisServer;
let probe: Redis;
let registry: Registry;
beforeAll(async () => {
  [redis, registry] = await Promise.all([startRedis({ appendonly: false }), openRegistry()]);
  probe = new Redis(redis.url);
});
afterAll(async () => {
  probe?.disconnect();
  await Promise.all([redis?.stop(), registry?.close()]);
});

/** A dashboard on a free port; `blockPort` holds that port so listening, the last start step, fails. */
async function dashboardSubject(blockPort = false): Promise<LifecycleSubject> {
  const port = await freePort();
  const config = loadConfig({ TW_REDIS_URL: redis.url, TW_KEY_PREFIX: `dl${port}`, TW_SECRET_KEY: SECRET, TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port) });
  let blocker: Server | undefined;
  if (blockPort) {
    const b = createServer();
    await new Promise<void>((resolve) => b.listen(port, '127.0.0.1', resolve));
    blocker = b;
  }
  const dashboard = createDashboard(config, { registry, masterSecret: SECRET });
  const connections = async () => ((await probe.client('LIST')) as string).trim().split('\n').length - 1;
  return {
    service: dashboard,
    ready: () => portAccepts(port),
    held: async () => (await connections()) + (!blocker && (await portAccepts(port)) ? 1 : 0),
    dispose: () => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())),
  };
}

serviceLifecycleContract('dashboard', () => dashboardSubject(), { failing: () => dashboardSubject(true) });
