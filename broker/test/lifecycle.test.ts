import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '@tianwang/core/config';
import { createLogger } from '@tianwang/core/log';
import { freePort, portAccepts, serviceLifecycleContract, startRedis, type LifecycleSubject, type RedisServer } from '@tianwang/core/testing';
import { createBroker, memoryDeviceSource } from '../src/index.js';
import { MASTER } from './helpers.js';

let redis: RedisServer;
let probe: Redis;
beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  probe = new Redis(redis.url, { connectionName: 'lifecycle-probe' });
});
afterAll(async () => {
  probe?.disconnect();
  await redis?.stop();
});

/** A broker on a free port; `env` may break its start after the TCP listener and the Redis connections are open. */
async function brokerSubject(env: Record<string, string> = {}): Promise<LifecycleSubject> {
  const config = loadConfig({
    NODE_ENV: 'test', TW_REDIS_URL: redis.url, TW_KEY_PREFIX: `t${randomUUID().slice(0, 8)}`, TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: String(await freePort()),
    TW_MQTT_SERVICE_PASSWORD: MASTER, ...env,
  });
  const broker = createBroker(config, { devices: memoryDeviceSource([]), log: createLogger({ level: 'silent' }) });
  const connections = async () => ((await probe.client('LIST')) as string).split('\n').filter((l) => / name=tw-broker-/.test(l)).length;
  return {
    service: broker,
    ready: () => portAccepts(broker.ports.tcp),
    held: async () => (await connections()) + ((await portAccepts(broker.ports.tcp)) ? 1 : 0),
  };
}

serviceLifecycleContract('broker', () => brokerSubject(), {
  // certificate files that are not there: the TLS listener fails after the Redis connections and the TCP listener opened
  failing: async () => brokerSubject({ TW_MQTTS_PORT: String(await freePort()), TW_MQTT_TLS_CERT_FILE: '/nonexistent/cert.pem', TW_MQTT_TLS_KEY_FILE: '/nonexistent/key.pem' }),
});
