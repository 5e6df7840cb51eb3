import { defineConfig } from 'vitest/config';

// bench/ is not a package, but its prerequisite checks are tests like any other (bench/test)
const packages = ['core', 'broker', 'ingest', 'alerts', 'streams', 'dashboard', 'firmware-sim', 'platform', 'bench'];

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
        // CI runs on a shared 2-core machine: an integration test that loses a timing race gets one more try
        // (vitest reports every retry), locally a failure shows at once
        retry: process.env.CI ? 1 : 0,
        hookTimeout: 60_000,
      },
    })),
  },
});
