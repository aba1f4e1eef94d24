import { defineConfig } from 'vitest/config';
import path from 'node:path';

const alias = { '@': path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    teardownTimeout: 3000,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['engine/**/*.test.ts', 'lib/**/*.test.ts', 'components/**/*.test.{ts,tsx}', 'cli/**/*.test.ts'],
          environment: 'node',
          // Two test files at a time even on a 2-core machine (the default leaves one core idle): most unit files wait on
          // PostgreSQL and in-process emulators, not on the CPU. Each file has its own process (forks), so memory probes stay its own.
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/api/global-setup.ts'],
          setupFiles: ['tests/api/setup-file.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
