// Playwright's own test runner for the browser tests (e2e/*.spec.ts), in Debian's Chromium (DEPENDENCIES.md).
// The app is started once for the run by e2e/global-setup.ts (or E2E_BASE_URL + E2E_DATA_DIR point at a running one).
// Traces, screenshots and the server log of a failing test land in test-results/e2e/.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/e2e/artifacts',
  globalSetup: './e2e/global-setup.ts',
  // One app, one database: the specs run one after another, each a chain of steps on one page.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e/results.json' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 30_000,
    navigationTimeout: 120_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
});
