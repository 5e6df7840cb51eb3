// The relay as its own process (so the benchmark measures its CPU and RSS alone): auth on, health and recording off.
// Argument 7 overrides the write batching interval (ms; 0 = off). With a database URL (argument 6) the registry is a PostgreSQL server outside this process, as in production, so
// CPU and RSS are the relay's own; without one it embeds PGlite (the development default, ~400 MB more RSS).
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import { openRegistry } from '@tianwang/core/registry';
import { createStreams } from '@tianwang/streams';

const [rtmpPort, httpPort, dataDir, secretKey, cameras, databaseUrl, writeBatchMs] = process.argv.slice(2) as [string, string, string, string, string, string | undefined, string | undefined];
const registry = await openRegistry({ databaseUrl: databaseUrl || undefined });
await registry.districts.upsert({ id: 'd1', name: 'd', kind: 'district', parentId: null });
// public viewing on: bench:streams-hls plays public (aud=p) grants, which the relay honours only for cameras consumers may see
await registry.kitchens.upsert({ id: 'k1', name: 'k', licenceNo: 'L1', address: '', districtId: 'd1', riskClass: 'B', contactName: '', contactPhone: '', businessHours: '00:00-23:59', publicViewing: true });
for (let i = 0; i < Number(cameras); i++)
  await registry.kitchens.upsertCamera({ id: `cam-${i}`, kitchenId: 'k1', area: 'cooking', name: '', mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret(`secret-${i}`), recordingEnabled: false, recordingHours: null, enabled: true });
const config = loadConfig({ TW_DATA_DIR: dataDir, TW_SECRET_KEY: secretKey, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: rtmpPort, TW_STREAMS_HTTP_PORT: httpPort, TW_CAMERA_HEALTH_MODE: 'off' });
const streams = createStreams(config, { registry, log: silentLogger() }, writeBatchMs ? { writeBatchMs: Number(writeBatchMs) } : {});
await streams.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void streams.stop().then(() => registry.close()).then(() => process.exit(0)));
