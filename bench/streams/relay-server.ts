// The relay as its own process (so the benchmark measures its CPU and RSS alone): auth on, health and recording off.
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import { openRegistry } from '@tianwang/core/registry';
import { createStreams } from '../../streams/src/index.js';

const [rtmpPort, httpPort, dataDir, secretKey, cameras] = process.argv.slice(2) as [string, string, string, string, string];
const registry = await openRegistry();
await registry.districts.upsert({ id: 'd1', name: 'd', kind: 'district', parentId: null });
await registry.kitchens.upsert({ id: 'k1', name: 'k', licenceNo: 'L1', address: '', districtId: 'd1', riskClass: 'B', contactName: '', contactPhone: '', businessHours: '00:00-23:59', publicViewing: false });
for (let i = 0; i < Number(cameras); i++)
  await registry.kitchens.upsertCamera({ id: `cam-${i}`, kitchenId: 'k1', area: 'cooking', name: '', mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret(`secret-${i}`), recordingEnabled: false, recordingHours: null, enabled: true });
const config = loadConfig({ TW_DATA_DIR: dataDir, TW_SECRET_KEY: secretKey, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: rtmpPort, TW_STREAMS_HTTP_PORT: httpPort, TW_CAMERA_HEALTH_MODE: 'off' });
const streams = createStreams(config, { registry, log: silentLogger() });
await streams.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void streams.stop().then(() => process.exit(0)));
