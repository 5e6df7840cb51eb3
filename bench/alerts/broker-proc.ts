/** The broker as its own process (pinned by run.ts): the devices come as a JSON file of {id, kind}, one shared secret. */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import { createBroker, memoryDeviceSource } from '@tianwang/broker';

const [port, redisUrl, prefix, devicesFile, secret, master] = process.argv.slice(2) as string[];
const hash = hashSecret(secret as string);
const list = JSON.parse(readFileSync(devicesFile as string, 'utf8')) as { id: string; kind: 'elevator' | 'boiler' }[];
const devices = memoryDeviceSource(list.map((d) => ({ ...d, enabled: true, credentialHash: hash, unitId: 'U1', districtId: 'D1' })));
const config = loadConfig({
  NODE_ENV: 'test', TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: port, TW_REDIS_URL: redisUrl, TW_KEY_PREFIX: prefix, TW_MQTT_SERVICE_PASSWORD: master,
  TW_MQTT_PUBLISH_RATE: '1000000', TW_MQTT_MAX_CONNECTIONS: '50000',
});
const broker = createBroker(config, { devices, log: silentLogger() });
await broker.start();
process.stdout.write('READY\n');
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
