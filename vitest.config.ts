import { defineConfig } from 'vitest/config';

/**
 * Four tiers (README "Development"):
 * - unit: no root, no Docker, no Python, no network but loopback — `npm test`. Its files share
 *   workers (`isolate: false`): each worker imports the AWS SDK once instead of once per file,
 *   which halves the tier's time on two cores. So no test file may leave state behind: SDK stubs
 *   come from test/_helpers/sdk-mock.ts, whose lifecycle the setup file drives per file;
 * - integration: the built CLI against moto, an independent AWS implementation (needs Python
 *   with moto) — `npm run test:integration`, files `*.int.test.ts`;
 * - e2e: real Docker, sshd, mpirun and containers (needs root and a Docker engine) —
 *   `npm run test:e2e`, files `*.e2e.test.ts`;
 * - slow: the real programs of examples/ through the built CLI's `run --local` (Docker, and
 *   Debian's apt mirror for the example images) — `npm run test:slow`, files `*.slow.test.ts`.
 */
const shared = {
  testTimeout: 30_000,
  hookTimeout: 120_000,
  setupFiles: ['test/_helpers/setup.ts'],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          isolate: false,
          include: ['test/**/*.test.ts'],
          exclude: [
            '**/node_modules/**',
            'test/**/*.int.test.ts',
            'test/**/*.e2e.test.ts',
            'test/**/*.slow.test.ts',
          ],
        },
      },
      { test: { ...shared, name: 'integration', include: ['test/**/*.int.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/**/*.e2e.test.ts'] } },
      { test: { ...shared, name: 'slow', include: ['test/**/*.slow.test.ts'] } },
    ],
  },
});
