/**
 * The dashboard as its own process (its CPU and RSS read from /proc), as in distributed mode:
 *   dashboard-proc.ts <port> <redisUrl> <prefix> <influxUrl> <db> <databaseUrl|pglite> <webRoot> <devices> [explain=<file>]
 * With "pglite" the registry is embedded and seeded here; with a PostgreSQL URL the benchmark seeded it.
 * Prints "READY" when listening.
 */
import { loadConfig } from '@tianwang/core/config';
import { silentLogger } from '@tianwang/core/log';
import { openRegistry } from '@tianwang/core/registry';
import { createDashboard } from '@tianwang/dashboard';
import { explainAlarmStatements } from './explain.js';
import { seedBenchDistrict } from './seed.js';

const [port, redisUrl, prefix, influxUrl, db, databaseUrl, webRoot, devices, explain] = process.argv.slice(2) as string[];
const secret = 'bench-dashboard-secret-0123456789abcdef';
const config = loadConfig({
  NODE_ENV: 'test', TW_REDIS_URL: redisUrl!, TW_KEY_PREFIX: prefix!, TW_SECRET_KEY: secret, TW_INFLUX_URL: influxUrl!, TW_INFLUX_DATABASE: db!,
  TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: port!, TW_PUBLIC_URL: `http://127.0.0.1:${port}`,
  // the benchmark signs in a few sessions from one address; failures are not part of it
  TW_LOGIN_MAX_FAILURES_ADDRESS: '100000',
});
const registry = await openRegistry(databaseUrl === 'pglite' ? {} : { databaseUrl: databaseUrl! });
if (databaseUrl === 'pglite') await seedBenchDistrict(registry, Number(devices));
if (explain?.startsWith('explain=')) explainAlarmStatements(registry.db, explain.slice('explain='.length));
const dashboard = createDashboard(config, { registry, masterSecret: secret, webRoot: webRoot!, log: silentLogger() });
await dashboard.start();
process.stdout.write('READY\n');
process.on('SIGTERM', () => void dashboard.stop().then(() => registry.close()).then(() => process.exit(0)));
