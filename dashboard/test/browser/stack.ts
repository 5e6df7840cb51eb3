import { randomBytes } from 'node:crypto';
import { createBroker, type BrokerService } from '@tianwang/broker';
import { loadConfig, type PlatformConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { freePort, startInflux, startRedis, type InfluxServer, type RedisServer } from '@tianwang/core/testing';
import { createIngest, type IngestService } from '@tianwang/ingest';
import { createDashboard, type Dashboard } from '../../src/index.js';
import { SECRET, seedWorld } from '../helpers/world.js';
import { buildWebApp } from './web-build.js';

/** The terminal secret of every seeded device (the registry keeps its hash). */
export const DEVICE_SECRET = 'device-secret-0123456789';

export interface Stack {
  /** http://127.0.0.1:<port> of the dashboard */
  base: string;
  mqttUrl: string;
  registry: Registry;
  /** the dashboard itself (its report job, for one) */
  dashboard: Dashboard;
  close(): Promise<void>;
}

export interface StackOptions {
  /** further configuration (an SMS provider's endpoint, a data folder) */
  env?: Record<string, string>;
  /** a further service on the same config and registry (alerts), started after ingest and stopped before it */
  extra?: (config: PlatformConfig, registry: Registry) => Promise<{ stop(): Promise<void> }>;
}


/**
 * The real path of a reading, every part a real process or server: device → MQTT broker → uplink stream (Redis) →
 * ingest → InfluxDB and the shadow change feed → dashboard (one live subscription, SSE) → Chromium. The registry is
 * PGlite with the API tests' seeded world (test/helpers/world.ts).
 */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const [redis, influx, webRoot]: [RedisServer, InfluxServer, string] = await Promise.all([startRedis(), startInflux(), buildWebApp()]);
  const registry = await openRegistry();
  await seedWorld(registry);
  for (const id of ['EL-1', 'EL-2', 'EL-3', 'BL-1']) await registry.devices.setCredential(id, hashSecret(DEVICE_SECRET));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const prefix = `web${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test', TW_REDIS_URL: redis.url, TW_KEY_PREFIX: prefix, TW_SECRET_KEY: SECRET,
    TW_INFLUX_URL: influx.url, TW_INFLUX_DATABASE: `db_${prefix}`,
    TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: String(mqttPort), TW_MQTT_SERVICE_PASSWORD: `svc-${prefix}-0123456789`,
    // a rotated or disabled credential takes effect within this (default 5 s)
    TW_MQTT_AUTH_CACHE_MS: '200',
    TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(httpPort), TW_PUBLIC_URL: `http://127.0.0.1:${httpPort}`, ...o.env,
  });
  const log = silentLogger();
  const broker: BrokerService = createBroker(config, { devices: registry.devices, log });
  const ingest: IngestService = createIngest(config, { registry, log });
  const dashboard: Dashboard = createDashboard(config, { registry, masterSecret: SECRET, webRoot });
  await broker.start();
  await ingest.start();
  const extra = await o.extra?.(config, registry);
  await dashboard.start();
  return {
    base: `http://127.0.0.1:${httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    registry,
    dashboard,
    async close() {
      await dashboard.stop();
      await extra?.stop();
      await ingest.stop();
      await broker.stop();
      await registry.close();
      await Promise.all([redis.stop(), influx.stop()]);
    },
  };
}
