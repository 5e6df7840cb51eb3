/** The broker under test, as its own process (pinned by run.ts): devices EL-000000… with one shared secret. */
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { createLogger, silentLogger } from '@tianwang/core/log';
import { createBroker, memoryDeviceSource } from '@tianwang/broker';

const [port, redisUrl, prefix, devicesS, secret, master] = process.argv.slice(2) as string[];
const hash = hashSecret(secret as string);
const devices = memoryDeviceSource(
  Array.from({ length: Number(devicesS) }, (_, i) => ({ id: `EL-${String(i).padStart(6, '0')}`, kind: 'elevator' as const, enabled: true, credentialHash: hash, unitId: 'U1', districtId: 'D1' })),
);
const config = loadConfig({
  NODE_ENV: 'test', TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: port, TW_REDIS_URL: redisUrl, TW_KEY_PREFIX: prefix, TW_MQTT_SERVICE_PASSWORD: master,
  TW_MQTT_PUBLISH_RATE: '1000000', TW_MQTT_MAX_CONNECTIONS: '50000',
});
// TW_BENCH_LOG=warn shows the broker's warnings (on stderr) while investigating a run
const log = process.env.TW_BENCH_LOG ? createLogger({ level: process.env.TW_BENCH_LOG }, process.stderr) : silentLogger();
const broker = createBroker(config, { devices, log });
await broker.start();
process.stdout.write('READY\n');
// run.ts asks for a full GC before reading RSS, so per-connection memory is live memory, not garbage
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
