import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { bundleReport } from './build/bundle-report.ts';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

// During `vite` development the API is proxied to a running server (npm run dev, or the built one).
const apiTarget = process.env.VERSIONS_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: webRoot,
  base: '/ui/',
  plugins: [vue(), bundleReport({ initialBudgetKiB: 150 })],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': apiTarget },
  },
});
