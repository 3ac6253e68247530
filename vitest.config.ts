import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The moto integration tier (issue 10) is not green yet: drop test/integration from this list to run it.
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    setupFiles: ['test/_helpers/setup.ts'],
  },
});
