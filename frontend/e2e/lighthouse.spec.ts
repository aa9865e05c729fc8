import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import config, { baseURL } from '../playwright.config';

/**
 * Lighthouse (desktop preset) on sign-in, API Keys and API Management against the real server, three runs each in
 * Debian's Chromium: accessibility and best practices must reach 0.95 in every run (gates); performance is reported
 * as the median of the three (goal 0.9, not gated: the shared 2-core machine makes it too noisy to gate).
 * Lighthouse drives the same browser over its DevTools port, in the default profile where the session cookie lives.
 */
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const GATE = 0.95;
const port = Number(process.env.LIGHTHOUSE_PORT ?? 19333);
const out = '../e2e/target/lighthouse';
const stamp = Date.now();

type Scores = { accessibility: number; bestPractices: number; performance: number; failing: string[] };

async function audit(url: string): Promise<Scores> {
  const result = await lighthouse(
    url,
    {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['accessibility', 'best-practices', 'performance'],
      disableStorageReset: true, // keep the session cookie of the signed-in runs
    },
    desktopConfig,
  );
  const lhr = result!.lhr;
  const score = (id: string) => lhr.categories[id]?.score ?? 0;
  const failing = ['accessibility', 'best-practices'].flatMap((c) =>
    lhr.categories[c]!.auditRefs.filter((r) => r.weight > 0 && (lhr.audits[r.id]?.score ?? 1) < 1).map(
      (r) => `${c}: ${r.id} (${lhr.audits[r.id]?.title ?? ''})`,
    ),
  );
  return {
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    performance: score('performance'),
    failing,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let context: BrowserContext;
const summary: Record<string, unknown> = {};

test.beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  const launch = config.use?.launchOptions ?? {};
  context = await chromium.launchPersistentContext(`${out}/profile-${stamp}`, {
    executablePath: launch.executablePath,
    args: [...(launch.args ?? []), `--remote-debugging-port=${port}`],
    viewport: { width: 1350, height: 940 },
    baseURL,
  });
});
test.afterAll(async () => {
  writeFileSync(`${out}/summary.json`, JSON.stringify(summary, null, 2));
  await context?.close();
});

async function measure(name: string, path: string) {
  const runs: Scores[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await audit(`${baseURL}${path}`));
  const result = {
    accessibility: runs.map((r) => r.accessibility),
    bestPractices: runs.map((r) => r.bestPractices),
    performance: runs.map((r) => r.performance),
    performanceMedian: median(runs.map((r) => r.performance)),
    failing: [...new Set(runs.flatMap((r) => r.failing))],
  };
  summary[name] = result;
  console.log(
    `[figures] lighthouse ${name}: accessibility ${result.accessibility.join('/')}, best practices ${result.bestPractices.join('/')},` +
      ` performance median ${result.performanceMedian} of ${result.performance.join('/')} (goal 0.9, not gated)` +
      (result.failing.length ? `\n  not perfect: ${result.failing.join('; ')}` : ''),
  );
  test.info().annotations.push({ type: 'lighthouse', description: JSON.stringify(result) });
  for (const a of result.accessibility) expect(a, `${name} accessibility`).toBeGreaterThanOrEqual(GATE);
  for (const b of result.bestPractices) expect(b, `${name} best practices`).toBeGreaterThanOrEqual(GATE);
}

test.describe.configure({ mode: 'serial' });

test('sign-in reaches 0.95 in accessibility and best practices', async () => {
  test.setTimeout(300_000);
  await measure('sign-in', '/sign-in');
});

test('API Keys and API Management reach 0.95 in accessibility and best practices', async () => {
  test.setTimeout(600_000);
  const page = await context.newPage();
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Lighthouse ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(`lighthouse-${stamp}@acme.test`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  for (const name of ['Payroll sync', 'Benefits export', 'Gateway']) {
    const res = await page.request.post('/api/v1/api-keys', {
      headers: { 'X-CSRF-Token': me.csrfToken },
      data: { name, apiType: name === 'Gateway' ? 'VERIFICATION' : 'PEOPLE', permissionMode: 'INHERIT' },
    });
    expect(res.status()).toBe(201);
  }
  await measure('api-keys', '/api-keys');
  await measure('api-management', '/settings/api-management');
  await page.close();
});
