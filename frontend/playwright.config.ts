import { defineConfig } from '@playwright/test';

/**
 * Browser tests against the real server (the packaged jar) on a fresh embedded PostgreSQL.
 * Build the jar first: mvn -pl backend package -DskipTests (the e2e Maven module runs this after it).
 */
const port = Number(process.env.KEYSMITH_E2E_PORT ?? 18480);
const managementPort = Number(process.env.KEYSMITH_E2E_MANAGEMENT_PORT ?? 19480);
const dataDir = `../e2e/target/data-${Date.now()}`;
// localhost, not 127.0.0.1: WebAuthn refuses an IP address as relying-party id (passkeys.spec), and localhost is a
// secure context over plain HTTP. The server still binds 127.0.0.1 only, so Chromium connects over IPv4.
export const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: './e2e',
  outputDir: '../e2e/target/test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'java -jar ../backend/target/keysmith.jar',
    url: `http://127.0.0.1:${port}/health/ready`,
    timeout: 180_000,
    reuseExistingServer: false,
    // A graceful stop lets the server stop its embedded PostgreSQL (a SIGKILL would leave the postmaster running).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      KEYSMITH_DATA_DIR: dataDir,
      KEYSMITH_HTTP_PORT: String(port),
      KEYSMITH_HTTP_HOST: '127.0.0.1',
      KEYSMITH_MANAGEMENT_PORT: String(managementPort),
      // links, the SSO redirect URI and the passkeys' relying party point where the browser is (so its cookies go
      // with them, and the passkeys' origin is the page's)
      KEYSMITH_PUBLIC_URL: baseURL,
      // every spec signs up and signs in from 127.0.0.1; the hashing share per address is tested by the backend
      KEYSMITH_PASSWORD_HASHING_ADDRESS_BURST: '1000',
      // many specs sign up an organization of their own from 127.0.0.1; SignUpThrottleIT tests the budget per address
      KEYSMITH_SIGNUP_THROTTLE_ADDRESS: '1000',
      // webhooks.spec delivers to a receiver on loopback over plain HTTP (refused by default: SSRF guard)
      KEYSMITH_WEBHOOKS_ALLOW_HTTP: 'true',
      KEYSMITH_WEBHOOKS_ALLOW_PRIVATE: 'true',
    },
  },
});
