import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The workbench's web app. `vite build` (the package's build) writes hashed files into dashboard/dist/web, which the
 * fastify process serves (src/plugins/web). `vite` alone serves it on :5173 with /api proxied to a running dashboard.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: { '@': here('./src') },
    // workspace packages from source, like the tests (no build of core needed first)
    conditions: ['@tianwang/source', 'module', 'browser', 'development|production'],
  },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // an admin app on a LAN: one chunk per heavy library keeps rebuilds cache-friendly
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus';
          if (id.includes('node_modules/')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.TW_DASHBOARD_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
