/**
 * The components of the ingest benchmark, each as its own process so that its CPU can be read from /proc:
 *   broker <port> <redisUrl> <prefix> <devices> <secret> <master>
 *   ingest <redisUrl> <prefix> <influxUrl> <db> <devices>
 * Devices are EB-000000… (elevators) with one shared secret.
 */
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import type { DeviceAuth } from '@tianwang/core/registry';
import { createBroker, memoryDeviceSource } from '@tianwang/broker';
import { createIngest } from '@tianwang/ingest';

const [role, ...args] = process.argv.slice(2) as string[];
export const deviceId = (i: number) => `EB-${String(i).padStart(6, '0')}`;
const fleet = (n: number, credentialHash: string | null): DeviceAuth[] =>
  Array.from({ length: n }, (_, i) => ({ id: deviceId(i), kind: 'elevator', enabled: true, credentialHash, unitId: `U${i % 50}`, districtId: `D${i % 5}` }));

if (role === 'broker') {
  const [port, redisUrl, prefix, n, secret, master] = args as [string, string, string, string, string, string];
  const config = loadConfig({
    NODE_ENV: 'test', TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: port, TW_REDIS_URL: redisUrl, TW_KEY_PREFIX: prefix,
    TW_MQTT_SERVICE_PASSWORD: master, TW_MQTT_PUBLISH_RATE: '100000', TW_MQTT_MAX_CONNECTIONS: '50000',
    // a load generator with more devices than connections publishes for them as sim-admin (loadgen.ts)
    TW_MQTT_SIM_ADMIN: 'true',
  });
  const broker = createBroker(config, { devices: memoryDeviceSource(fleet(Number(n), hashSecret(secret))), log: silentLogger() });
  await broker.start();
  process.stdout.write('READY\n');
  process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
} else if (role === 'ingest') {
  const [redisUrl, prefix, influxUrl, db, n] = args as [string, string, string, string, string];
  // TW_INGEST_* from the environment pass through (to try batch sizes and write concurrency)
  const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TW_INGEST_')));
  const config = loadConfig({ NODE_ENV: 'test', ...tuning, TW_REDIS_URL: redisUrl, TW_KEY_PREFIX: prefix, TW_INFLUX_URL: influxUrl, TW_INFLUX_DATABASE: db, TW_INFLUX_API: 'v1' });
  const devices = fleet(Number(n), null);
  const byId = new Map(devices.map((d) => [d.id, d]));
  const ingest = createIngest(config, { registry: { devices: { getAuth: async (id) => byId.get(id), listAuth: async () => devices } }, log: silentLogger() });
  await ingest.start();
  process.stdout.write('READY\n');
  // the benchmark reads the metrics (p99 receive-to-written) from stdout on request
  process.stdin.on('data', () => void ingest.metrics.metrics().then((m) => process.stdout.write(`${JSON.stringify({ metrics: m })}\n`)));
  process.on('SIGTERM', () => void ingest.stop().then(() => process.exit(0)));
}
