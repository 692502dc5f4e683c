import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import workspace packages from source, so `npm test` never runs against stale builds.
const workspaceSources = {
  '@gatehouse/contracts': fromRoot('./packages/contracts/src/index.ts'),
  '@gatehouse/credentials': fromRoot('./packages/credentials/src/index.ts'),
  '@gatehouse/config': fromRoot('./packages/config/src/index.ts'),
  '@gatehouse/telemetry': fromRoot('./packages/telemetry/src/index.ts'),
  // Before the package itself: an alias also matches the paths below its name.
  '@gatehouse/runtime/stop-signals': fromRoot('./packages/runtime/src/server/stop-signals.ts'),
  '@gatehouse/runtime': fromRoot('./packages/runtime/src/index.ts'),
  '@gatehouse/interceptors': fromRoot('./packages/interceptors/src/index.ts'),
  '@gatehouse/example-notes': fromRoot('./examples/notes/src/index.ts'),
};

export default defineConfig({
  resolve: { alias: workspaceSources },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['./test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
