import { defineConfig } from 'vitest/config';

/** Unit tests of pure code only: no services needed (`npm run test:unit`). */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'console/src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
