import { defineConfig } from 'vitest/config';
import path from 'node:path';

const alias = { '@': path.resolve(import.meta.dirname) };

/**
 * The API suite runs twice: on the server's embedded PostgreSQL and on a PostgreSQL server given as DATABASE_URL.
 * These files test what the database kind does not change (input validation, connectors against their emulators,
 * headers, the OpenAPI contract, key rotation's re-encryption): they run in the embedded pass only, for suite time.
 * Files that need the embedded server's own data folder (backup, upgrade, crash recovery) skip themselves.
 */
const EMBEDDED_PASS_ONLY = [
  'tests/api/bad-input.test.ts', 'tests/api/call-logging-crms.test.ts', 'tests/api/call-logging-helpdesks.test.ts',
  'tests/api/call-logging-intercom-keap.test.ts', 'tests/api/recording-storage.test.ts', 'tests/api/security.test.ts',
  'tests/api/fuzz.test.ts', 'tests/api/contract.test.ts', 'tests/api/key-rotation.test.ts', 'tests/api/guide.test.ts',
  'tests/api/scale-out.test.ts',
];

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
          // Two test files at a time even on a 2-core machine (vitest's default leaves one core idle): most unit files
          // wait on PostgreSQL and in-process emulators, not on the CPU. Each file has its own process (forks).
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
          exclude: process.env.PATCHBAY_TEST_DB === 'url' ? EMBEDDED_PASS_ONLY : [],
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
