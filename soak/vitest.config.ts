import { defineConfig } from 'vitest/config';

// The CI-sized soak alone (it is also the "soak" project of the root vitest.config.ts): npx vitest run -c soak/vitest.config.ts
export default defineConfig({
  resolve: { conditions: ['@tianwang/source'] },
  ssr: { resolve: { conditions: ['@tianwang/source'] } },
  test: { name: 'soak', root: './soak', include: ['test/**/*.test.ts'], environment: 'node', pool: 'forks', testTimeout: 420_000, hookTimeout: 60_000 },
});
