import { hashSecret } from '../crypto/secrets.js';
import { deriveKey } from '../crypto/keys.js';
import { SecretBox } from '../crypto/secret-box.js';
import type { Registry } from '../registry/registry.js';
import type { DemoDistrict } from './generate.js';

export interface LoadSummary {
  districts: number;
  units: number;
  maintenanceCompanies: number;
  devices: number;
  kitchens: number;
  cameras: number;
  users: number;
  ms: number;
}

/**
 * Writes a demo district into the registry. Idempotent: loading the same seed twice changes nothing visible.
 * Secrets are stored only as hashes; pull cameras' URLs are sealed with the platform key.
 */
export async function loadDemoDistrict(registry: Registry, demo: DemoDistrict, options: { masterSecret: string }): Promise<LoadSummary> {
  const started = Date.now();
  const box = new SecretBox(deriveKey(options.masterSecret, 'camera-url'));
  // districts first: grids reference their parent
  for (const d of demo.districts) await registry.districts.upsert(d);
  for (const c of demo.maintenanceCompanies) await registry.units.upsertMaintenanceCompany(c);
  for (const u of demo.units) await registry.units.upsert(u);
  for (const { secret, ...d } of demo.devices) await registry.devices.upsert({ ...d, credentialHash: hashSecret(secret) });
  for (const k of demo.kitchens) await registry.kitchens.upsert(k);
  for (const { secret, sourceUrl, ...c } of demo.cameras) {
    await registry.kitchens.upsertCamera({
      ...c,
      sourceUrlSealed: sourceUrl ? box.seal(sourceUrl) : null,
      publishCredentialHash: c.mode === 'push' ? hashSecret(secret) : null,
    });
  }
  for (const u of demo.users) await registry.users.upsert(u);
  await registry.audit.append({ actor: 'demo-loader', actorType: 'system', action: 'demo.load', subjectType: 'district', subjectId: demo.districts[0]?.id ?? '', via: 'cli', detail: { seed: demo.seed } });
  return {
    districts: demo.districts.length,
    units: demo.units.length,
    maintenanceCompanies: demo.maintenanceCompanies.length,
    devices: demo.devices.length,
    kitchens: demo.kitchens.length,
    cameras: demo.cameras.length,
    users: demo.users.length,
    ms: Date.now() - started,
  };
}
