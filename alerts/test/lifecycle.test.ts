import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { pipelineKeys, CONSUMER_GROUPS } from '@tianwang/core/pipeline';
import { serviceLifecycleContract, startRedis, type LifecycleSubject, type RedisServer } from '@tianwang/core/testing';
import { createAlerts } from '../src/index.js';
import { FAST } from './helpers/harness.js';
import { MASTER_SECRET, seedRegistry, testConfig } from './helpers/world.js';

let redis: RedisServer;
let probe: Redis;
beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  probe = new Redis(redis.url);
});
afterAll(async () => {
  probe?.disconnect();
  await redis?.stop();
});

/** An alerts worker on its own Redis server: every client there but the probe is one of its connections. */
async function alertsSubject(env: Record<string, string> = {}): Promise<LifecycleSubject> {
  const registry = await seedRegistry();
  const config = testConfig(redis.url, env);
  const alerts = createAlerts(config, { registry, masterSecret: MASTER_SECRET, tuning: FAST });
  const cameraEvents = pipelineKeys(config.prefix).cameraEvents;
  return {
    service: alerts,
    // the camera-event consumer group is the last thing a start creates before its timers
    ready: async () => {
      const groups = (await probe.xinfo('GROUPS', cameraEvents).catch(() => [])) as unknown[][];
      return groups.some((g) => g[1] === CONSUMER_GROUPS.alerts);
    },
    held: async () => ((await probe.client('LIST')) as string).trim().split('\n').length - 1,
    dispose: () => registry.close(),
  };
}

serviceLifecycleContract('alerts', () => alertsSubject(), {
  // a failover provider without its credentials: refused after the Redis connection and the queues were made
  failing: () => alertsSubject({ TW_SMS_FAILOVER: 'twilio', TW_TWILIO_ACCOUNT_SID: '', TW_TWILIO_AUTH_TOKEN: '' }),
});
