import { openRegistry, type Registry } from '@tianwang/core/registry';
import { startPostgres, type PostgresServer } from '@tianwang/core/testing';

export type RegistryBackend = [name: string, open: () => Promise<{ registry: Registry; cleanup: () => Promise<void> }>];

/** Every registry backend a contract suite runs against: embedded PGlite and a real PostgreSQL server (Debian's). */
export const REGISTRY_BACKENDS: RegistryBackend[] = [
  ['pglite', async () => {
    const registry = await openRegistry();
    return { registry, cleanup: () => registry.close() };
  }],
  ['postgres', async () => {
    const pg: PostgresServer = await startPostgres();
    const registry = await openRegistry({ databaseUrl: pg.url });
    return { registry, cleanup: async () => { await registry.close(); await pg.stop(); } };
  }],
];
