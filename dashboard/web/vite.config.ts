import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The workbench's web app. `vite build` (the package's build) writes hashed files into dashboard/dist/web, which the
 * fastify process serves (src/plugins/web). `vite` alone serves it on :5173 with /api proxied to a running dashboard.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [
    vue(),
    // each <el-…> in a template imported with its CSS where it is used (Element Plus's on-demand import); our own
    // components stay explicit imports (dirs: none), and no generated .d.ts is written into the tree
    components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dirs: [], dts: false }),
  ],
  resolve: {
    alias: { '@': here('./src') },
    // workspace packages from source, like the tests (no build of core needed first)
    conditions: ['@tianwang/source', 'module', 'browser', 'development|production'],
  },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    // one stylesheet, named in index.html: a stylesheet per chunk is a further request per view, and Chromium opens
    // 6 HTTP/1.1 connections per host, so dozens of small files queue behind each other on the first load
    cssCodeSplit: false,
    rollupOptions: {
      output: {
        // The framework every page needs in one long-cached chunk; everything else (Element Plus's components,
        // ECharts, mpegts.js) goes where rolldown's splitting puts it: with the views that import it, shared pieces
        // in shared chunks, so the board's cold load does not fetch and compile the video player or the charts.
        manualChunks(id: string) {
          if (/node_modules\/(vue|@vue|vue-router|pinia|vue-i18n|@intlify)\//.test(id)) return 'vue';
          if (/node_modules\/(element-plus|@element-plus|@vueuse|lodash-es|@popperjs|@floating-ui|@ctrl|async-validator|dayjs|normalize-wheel-es|memoize-one)\//.test(id)) return 'element-plus';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.TW_DASHBOARD_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
