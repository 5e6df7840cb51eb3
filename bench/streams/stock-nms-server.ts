// Stock node-media-server 4.4.3 as its own process: the floor our relay is compared with (no auth, no HTTP
// listener, no registry; only its RTMP server, as `npx node-media-server` would run it minus the admin console).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const NodeMediaServer = require('node-media-server') as new (config: object) => { run(): Promise<void> };
const logger = require('node-media-server/src/core/logger.js') as { level: string };

const [rtmpPort, storeDir] = process.argv.slice(2) as [string, string];
const nms = new NodeMediaServer({ bind: '127.0.0.1', rtmp: { port: Number(rtmpPort), chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 }, store: { path: storeDir }, webadmin: { enable: false } });
logger.level = 'error'; // the constructor sets debug; per-session info lines would cost CPU that the relay does not spend
await nms.run();
process.stdout.write('ready\n');
