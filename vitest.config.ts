import { defineConfig } from 'vitest/config';

const packages = ['core', 'broker', 'ingest', 'alerts', 'streams', 'dashboard', 'firmware-sim', 'platform'];

// One vitest run covers every package (faster than one process per package). Tests import workspace
// packages from source through the "@tianwang/source" export condition, so no build is needed first.
export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      resolve: { conditions: ['@tianwang/source'] },
      ssr: { resolve: { conditions: ['@tianwang/source'] } },
      test: {
        name,
        root: `./${name}`,
        include: ['test/**/*.test.ts'],
        environment: 'node',
        pool: 'forks',
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
