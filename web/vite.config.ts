// Vite build of the web portal and console: web/ → dist/web (served by the API server at /).
// `npm run web:dev` serves it with hot reload and proxies /api and /healthz to a running govhub
// (GOVHUB_API, default http://127.0.0.1:8080).
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = process.env.GOVHUB_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false }, '/healthz': { target: api } },
  },
});
