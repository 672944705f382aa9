import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Existing tests exercise the tfjs engine: auto resolves to it. Tests of the PyTorch engine
    // ask for engine 'torch' explicitly; test/engine/torch-engine.test.ts covers auto unpinned.
    env: { NETFORGE_ENGINE: 'tfjs' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        // Browser mode in Chromium and the desktop app in Electron (e2e/harness.ts). The
        // global setup builds the app once per run; the files run one at a time so that only
        // one browser competes with the unit tests for the CPU.
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['e2e/global-setup.ts'],
          fileParallelism: false,
          hookTimeout: 120_000,
          // What the page shows can lag on a busy 2-core machine (the unit tests run alongside).
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
