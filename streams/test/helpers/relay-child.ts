// The relay as its own process, for fuzzing: a crash is a process exit, and RSS is the relay's alone.
// argv: rtmpPort httpPort dataDir. Prints one JSON line {ready, publishUrl, playUrl} on stdout; logs (warn and
// above) go to stderr. One camera, cam-a, in a public kitchen; health checks and recording off.
import { loadConfig } from '@tianwang/core/config';
import { deriveKey, hashSecret } from '@tianwang/core/crypto';
import { createLogger } from '@tianwang/core/log';
import { openRegistry } from '@tianwang/core/registry';
import { installFatalErrorPolicy } from '@tianwang/core/service';
import { createStreams } from '../../src/index.js';
import { signPlay } from '../../src/access/play-signing.js';

const [rtmpPort, httpPort, dataDir] = process.argv.slice(2) as [string, string, string];
const secretKey = 'f'.repeat(20) + '0123456789abcdefghij';
const cameraSecret = 'fuzz-camera-secret-0123456789';
const log = createLogger({ level: 'warn' }, { write: (line: string) => void process.stderr.write(line) });
installFatalErrorPolicy('streams-fuzz', log);
const registry = await openRegistry();
await registry.districts.upsert({ id: 'd1', name: 'd', kind: 'district', parentId: null });
const kitchen = { address: '', riskClass: 'B' as const, contactName: '', contactPhone: '', businessHours: '00:00-23:59' };
await registry.kitchens.upsert({ ...kitchen, id: 'k-pub', name: 'k', licenceNo: 'L1', districtId: 'd1', publicViewing: true });
await registry.kitchens.upsertCamera({ id: 'cam-a', kitchenId: 'k-pub', area: 'cooking', name: 'a', mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret(cameraSecret), recordingEnabled: false, recordingHours: null, enabled: true });
const config = loadConfig({ TW_DATA_DIR: dataDir, TW_SECRET_KEY: secretKey, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: rtmpPort, TW_STREAMS_HTTP_PORT: httpPort, TW_CAMERA_HEALTH_MODE: 'off' });
const streams = createStreams(config, { registry, log });
await streams.start();
const { query } = signPlay(deriveKey(secretKey, 'play-url'), 'cam-a', 24 * 3600, 'i');
process.stdout.write(`${JSON.stringify({ ready: true, publishUrl: `rtmp://127.0.0.1:${rtmpPort}/live/cam-a?token=${cameraSecret}`, playUrl: `http://127.0.0.1:${httpPort}/play/cam-a.flv?${query}` })}\n`);
process.on('SIGTERM', () => void streams.stop().then(() => registry.close()).then(() => process.exit(0)));
