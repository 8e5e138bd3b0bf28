// Build of the web app: content-hashed assets under /assets/ (served with a year's caching by
// src/http/web.ts), a manifest for the bundle-size check, and the development server proxying
// the API to a running `champa serve` (CHAMPA_DEV_API, default https://localhost:10443).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.CHAMPA_DEV_API ?? 'https://localhost:10443';
const proxy = { target: api, secure: false, changeOrigin: false, ws: true };

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': proxy, '/jmap': proxy, '/.well-known': proxy },
  },
});
