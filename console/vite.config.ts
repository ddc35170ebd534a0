import { defineConfig } from 'vite';

/**
 * The annotator console, built into console/dist and served by the API at /console/ (no server of its own).
 * JSX is compiled for Preact by Vite's own transform (no plugin needed).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
});
