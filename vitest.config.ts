import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The moto integration tier is being brought up (issue 10); run it with `npx vitest run --dir test/integration --exclude x`.
    exclude: ['test/integration/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    setupFiles: ['test/_helpers/setup.ts'],
  },
});
