import { join } from 'node:path';
import type { Db } from './db.js';
import { openPostgres } from './db-postgres.js';
import { migrate } from './migrate.js';
import { auditQueries } from './queries/audit.js';
import { deviceQueries } from './queries/devices.js';
import { districtQueries } from './queries/districts.js';
import { kitchenQueries } from './queries/kitchens.js';
import { recordQueries } from './queries/records.js';
import { unitQueries } from './queries/units.js';
import { userQueries } from './queries/users.js';

export interface RegistryOptions {
  /** PostgreSQL server; unset = embedded PGlite */
  databaseUrl?: string | undefined;
  /** PGlite lives in `${dataDir}/registry`; unset (with no databaseUrl) = in memory */
  dataDir?: string | undefined;
  /** run pending migrations on open (default true) */
  migrate?: boolean;
}

export interface Registry {
  db: Db;
  districts: ReturnType<typeof districtQueries>;
  units: ReturnType<typeof unitQueries>;
  devices: ReturnType<typeof deviceQueries>;
  kitchens: ReturnType<typeof kitchenQueries>;
  users: ReturnType<typeof userQueries>;
  records: ReturnType<typeof recordQueries>;
  audit: ReturnType<typeof auditQueries>;
  close(): Promise<void>;
}

/** Builds the query modules over any Db (or a transaction's Queryable wrapped as one). */
export function registryOver(db: Db): Registry {
  return {
    db,
    districts: districtQueries(db),
    units: unitQueries(db),
    devices: deviceQueries(db),
    kitchens: kitchenQueries(db),
    users: userQueries(db),
    records: recordQueries(db),
    audit: auditQueries(db),
    close: () => db.close(),
  };
}

/**
 * Opens the registry: PostgreSQL when a URL is given, else PGlite in the data folder. Note that PGlite is
 * single-process: in distributed mode every process must share a PostgreSQL server through DATABASE_URL.
 */
export async function openRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : // loaded only when used: PGlite's WASM module is ~43 MB of RSS that a service on PostgreSQL does not need
      await (await import('./db-pglite.js')).openPglite(options.dataDir ? join(options.dataDir, 'registry') : undefined);
  try {
    if (options.migrate !== false) await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return registryOver(db);
}
