#!/usr/bin/env node
/**
 * Loads the demo district into the registry (PGlite in TW_DATA_DIR, or DATABASE_URL) and prints the logins.
 *   npm run demo:load            (after a build)
 * The only environment read is loadConfig's.
 */
import { loadConfig } from '@tianwang/core/config';
import { resolveDevSecret } from '@tianwang/core/crypto';
import { generateDemoDistrict, loadDemoDistrict } from '@tianwang/core/demo';
import { ConfigError } from '@tianwang/core/errors';
import { openRegistry } from '@tianwang/core/registry';
import { writeDemoLogins } from './demo-logins.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const masterSecret = await resolveDevSecret(config.common.dataDir, 'secret.key', config.common.secretKey);
  const registry = await openRegistry({ databaseUrl: config.common.databaseUrl, dataDir: config.common.dataDir });
  try {
    const demo = generateDemoDistrict(config.platform.demoSeed);
    const summary = await loadDemoDistrict(registry, demo, { masterSecret });
    const file = await writeDemoLogins(config.common.dataDir, demo);
    console.log(
      `demo district (seed ${demo.seed}) loaded in ${summary.ms} ms: ${summary.units} units, ${summary.devices} devices, ` +
        `${summary.kitchens} kitchens, ${summary.cameras} cameras, ${summary.users} users. Logins: ${file}`,
    );
  } finally {
    await registry.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exitCode = err instanceof ConfigError ? 2 : 1;
});
