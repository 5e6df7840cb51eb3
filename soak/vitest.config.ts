import { defineConfig } from 'vitest/config';

// The CI-sized soak as a command, not part of `npx vitest run` (it did not pass 3 runs in a row on the shared
// machine yet, docs/benchmarks.md *soak*): npx vitest run -c soak/vitest.config.ts
export default defineConfig({
  resolve: { conditions: ['@tianwang/source'] },
  ssr: { resolve: { conditions: ['@tianwang/source'] } },
  test: { name: 'soak', root: './soak', include: ['test/**/*.test.ts'], environment: 'node', pool: 'forks', testTimeout: 420_000, hookTimeout: 60_000 },
});
