/**
 * Where a connection's memory goes: one broker in this process, N idle device connections from loadgen, then
 * heap / external / RSS per connection after a full GC; `--heap` also writes a heap snapshot to /tmp/twmem.
 * `node --expose-gc --conditions=@tianwang/source --import tsx bench/broker/memory-probe.ts`
 */
import { spawn } from 'node:child_process';
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import { startRedis, freePort } from '@tianwang/core/testing';
import { createBroker, memoryDeviceSource } from '@tianwang/broker';
const N = 5000;
const redis = await startRedis({ appendonly: false });
const port = await freePort();
const hash = hashSecret('0123456789abcdef0123456789abcdef');
const devices = memoryDeviceSource(Array.from({ length: N + 10 }, (_, i) => ({ id: `EL-${String(i).padStart(6, '0')}`, kind: 'elevator' as const, enabled: true, credentialHash: hash, unitId: 'U1', districtId: 'D1' })));
const config = loadConfig({ NODE_ENV: 'test', TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: String(port), TW_REDIS_URL: redis.url, TW_KEY_PREFIX: 'mem', TW_MQTT_SERVICE_PASSWORD: 'bench-master-service-password-0123456789' });
const broker = createBroker(config, { devices, log: silentLogger() });
await broker.start();
const snap = () => { (globalThis as { gc?: () => void }).gc?.(); const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed, ext: m.external, ab: m.arrayBuffers }; };
await new Promise((r) => setTimeout(r, 500));
const a = snap();
const gen = spawn(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', 'bench/broker/loadgen.ts', 'conns', String(port), String(N), '0123456789abcdef0123456789abcdef'], { stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((resolve) => gen.stdout.on('data', resolve));
await new Promise((r) => setTimeout(r, 2000));
const b = snap();
const per = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Math.round(((v - (a as Record<string, number>)[k]!) / N) * 10) / 10]));
console.log('bytes per connection', per);
if (process.argv.includes('--heap')) { const v8 = await import('node:v8'); v8.writeHeapSnapshot('/tmp/twmem/h.heapsnapshot'); }
gen.stdin.end();
await broker.stop();
await redis.stop();
process.exit(0);
