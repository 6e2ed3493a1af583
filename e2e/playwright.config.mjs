// The demo page's journeys in Debian's Chromium (never a downloaded browser),
// against a sesame-server that support/global-setup.mjs starts: fresh data dir,
// dev mode (the dev mailbox), 30 s access tokens so silent refresh happens
// within a test.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  globalSetup: './support/global-setup.mjs',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // The journeys share one server; two workers fit the 2-core machines.
  workers: 2,
  fullyParallel: true,
  retries: 0,
  reporter: [['list'], ['./support/journey-reporter.mjs']],
  outputDir: '../build/e2e/test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.SESAME_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    },
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
