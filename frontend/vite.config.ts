import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
// Inside frontend/target/classes so the Maven jar carries it as webroot/.
const outDir = join(root, 'target/classes/webroot');

/**
 * Copies Swagger UI's assets from the swagger-ui-dist package into webroot/docs/ (no CDN).
 * Our own docs/index.html and docs/init.js come from public/ (no inline script: the CSP is script-src 'self').
 */
function swaggerUiAssets(): Plugin {
  const files = ['swagger-ui.css', 'swagger-ui-bundle.js'];
  return {
    name: 'keysmith:swagger-ui-assets',
    apply: 'build',
    async writeBundle() {
      const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      await mkdir(join(outDir, 'docs'), { recursive: true });
      await Promise.all(files.map((f) => copyFile(join(dist, f), join(outDir, 'docs', f))));
    },
  };
}

const backend = 'http://localhost:8080';

export default defineConfig({
  plugins: [react(), swaggerUiAssets()],
  resolve: { alias: { '@': join(root, 'src') } },
  build: { outDir, emptyOutDir: true, assetsDir: 'assets', sourcemap: false },
  server: {
    proxy: { '/api': backend, '/health': backend, '/openapi.yaml': backend },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test-setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // The suite runs beside the server's builds on 2 shared cores: a render that takes 5 s there is load, not a
    // defect (each test's own waits still decide what it proves).
    testTimeout: 20_000,
  },
});
