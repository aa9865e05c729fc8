import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Accessibility of every main page against the real server: axe-core (WCAG 2.x A/AA rules plus best practices) at
 * 1280 px and at a 375 px phone, with data on the pages (keys, people, usage of every outcome), and a full-page
 * screenshot of each. Serious and critical violations fail; lesser ones are listed in the test's output.
 */
const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `a11y-${stamp}@acme.test`, password: 'correct horse battery staple' };
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
] as const;

let page: Page;
let keyId = '';

const basic = (secret: string) => ({ Authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}` });

async function createKey(request: APIRequestContext, csrf: string, body: Record<string, unknown>) {
  const res = await request.post('/api/v1/api-keys', { headers: { 'X-CSRF-Token': csrf }, data: body });
  expect(res.status(), await res.text()).toBe(201);
  return json<Schemas['ApiKeyWithSecret']>(res);
}

/** Signs up through the UI, then seeds through the API with the session: a person, three keys, and calls of every outcome. */
test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  page = await (await browser.newContext()).newPage();
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Acme ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  const request = page.request;
  const { csrfToken } = await json<Schemas['Me']>(request.get('/api/v1/me'));
  const person = await request.post('/api/v1/people', {
    headers: { 'X-CSRF-Token': csrfToken },
    data: { firstName: 'Grace', lastName: 'Hopper', workEmail: 'grace@acme.test', jobTitle: 'Admiral', salary: 100000 },
  });
  expect(person.status()).toBe(201);

  const payroll = await createKey(request, csrfToken, {
    name: 'Payroll sync',
    apiType: 'PEOPLE',
    permissionMode: 'INHERIT',
  });
  const nothing = await createKey(request, csrfToken, {
    name: 'Scoped to nothing',
    apiType: 'PEOPLE',
    permissionMode: 'SCOPED',
    permissions: [],
  });
  const slow = await createKey(request, csrfToken, {
    name: 'One a minute',
    apiType: 'PEOPLE',
    permissionMode: 'INHERIT',
    rateLimitPerMinute: 1,
  });
  keyId = payroll.key.id;

  const call = (secret: string, path = '/api/v1/people') => request.get(path, { headers: basic(secret) });
  for (let i = 0; i < 6; i++) expect((await call(payroll.secret)).status()).toBe(200);
  expect((await call(payroll.secret, '/api/v1/audit-events')).status()).toBe(403); // outside its API type
  for (let i = 0; i < 2; i++) expect((await call(nothing.secret)).status()).toBe(403);
  const limited = [];
  for (let i = 0; i < 3; i++) limited.push((await call(slow.secret)).status());
  expect(limited).toContain(429);

  // Usage is written behind (every 5 s by default): wait until the organization's usage shows the calls.
  await expect
    .poll(
      async () => {
        const usage = await json<Schemas['Usage']>(request.get('/api/v1/usage'));
        return usage.buckets.reduce(
          (t, b) => ({
            allowed: t.allowed + b.allowed,
            denied: t.denied + b.denied,
            rateLimited: t.rateLimited + b.rateLimited,
          }),
          { allowed: 0, denied: 0, rateLimited: 0 },
        );
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toEqual({ allowed: 7, denied: 3, rateLimited: 2 });
});
test.afterAll(async () => page?.context().close());

type Target = { name: string; path: () => string; heading: RegExp | string; ready?: (page: Page) => Promise<void> };

const hasTable = async (p: Page) => expect(p.getByRole('table').first()).toBeVisible();

const PAGES: Target[] = [
  { name: 'api-keys', path: () => '/api-keys', heading: 'API Keys', ready: hasTable },
  { name: 'new-key', path: () => '/api-keys/new', heading: /New API key|Create key|Create/i },
  { name: 'api-management', path: () => '/settings/api-management', heading: 'API Management', ready: hasTable },
  { name: 'people', path: () => '/people', heading: 'People' },
  { name: 'users', path: () => '/users', heading: 'Users' },
  { name: 'audit', path: () => '/audit', heading: 'Audit log' },
  { name: 'access-levels', path: () => '/settings/access-levels', heading: 'Access levels' },
  {
    name: 'usage',
    path: () => '/usage',
    heading: 'Usage',
    ready: async (p) => {
      const totals = p.getByRole('definition');
      await expect(totals).toHaveText([/^12/, /^7 58%/, /^3 25%/, /^2 17%/, /^0 0%/]);
      await expect(
        p.getByRole('img', {
          name: /Stacked bar chart of the organization’s requests per hour, last 24 hours: 7 allowed, 3 denied, 2 rate-limited, 0 invalid/,
        }),
      ).toBeVisible();
      await expect(p.getByRole('link', { name: 'Payroll sync' })).toBeVisible();
      // The range picker asks for days and keeps the same totals (all calls were made today).
      const week = p.getByRole('radio', { name: /7 days/ });
      await week.click(); // not check(): the controlled radio turns on once the address changes, a moment later
      await expect(week).toBeChecked();
      await expect(p).toHaveURL(/\?range=7d$/);
      await expect(
        p.getByRole('img', { name: /requests per day, last 7 days: 7 allowed, 3 denied, 2 rate-limited/ }),
      ).toBeVisible();
      await expect(p.getByRole('table', { name: /requests per day/ }).locator('tbody tr')).toHaveCount(7);
    },
  },
  {
    name: 'key-usage',
    path: () => `/api-keys/${keyId}/usage`,
    heading: 'Usage of “Payroll sync”',
    ready: async (p) => {
      await expect(p.getByRole('img', { name: /Stacked bar chart of this key’s requests/ })).toBeVisible();
      // Checked (and pictured) with the chart's data table shown.
      await p.getByRole('button', { name: 'Show data table' }).click();
      await expect(p.getByRole('table', { name: /this key’s requests per hour/ })).toBeVisible();
    },
  },
  { name: 'partners', path: () => '/partners', heading: 'Partners' },
  { name: 'policies', path: () => '/settings/policies', heading: /Polic/i },
];

async function check(target: Target, width: number) {
  await page.goto(target.path());
  await expect(page.getByRole('heading', { level: 1, name: target.heading })).toBeVisible();
  await expect(page.locator('.loading')).toHaveCount(0);
  if (target.ready) await target.ready(page);
  await page.screenshot({ path: `${shots}/${target.name}-${width}.png`, fullPage: true });

  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const describe = (v: (typeof violations)[number]) =>
    `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}  ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join('\n')}`;
  const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length)
    console.log(`[a11y] ${target.name} at ${width}px, not failing:\n  ${minor.map(describe).join('\n  ')}`);
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking.map(describe), `${target.name} at ${width}px`).toEqual([]);

  // Nothing scrolls sideways at this width (the page itself; wide tables scroll inside their own box).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${target.name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
  // Tables stack into cards on phones; one that still scrolls inside its box hides part of a value. Reported, not failed.
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('.table-wrap')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.querySelector('caption')?.textContent ?? 'table'),
  );
  if (clipped.length)
    console.log(`[layout] ${target.name} at ${width}px: scrolls sideways inside its box: ${clipped.join(', ')}`);
}

for (const size of WIDTHS) {
  test.describe(`at ${size.width}px`, () => {
    test.beforeEach(async () => page.setViewportSize(size));
    for (const target of PAGES) {
      test(`${target.name} has no serious or critical axe violations`, async () => {
        await check(target, size.width);
      });
    }
  });
}

test.describe('signed out', () => {
  for (const size of WIDTHS) {
    for (const [name, path, heading] of [
      ['sign-in', '/sign-in', 'Sign in'],
      ['sign-up', '/sign-up', 'Create your organization'],
    ] as const) {
      test(`${name} at ${size.width}px has no serious or critical axe violations`, async ({ browser }) => {
        const context = await browser.newContext({ viewport: size });
        const signedOut = await context.newPage();
        try {
          await signedOut.goto(path);
          await expect(signedOut.getByRole('heading', { level: 1, name: heading })).toBeVisible();
          await signedOut.screenshot({ path: `${shots}/${name}-${size.width}.png`, fullPage: true });
          const { violations } = await new AxeBuilder({ page: signedOut })
            .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
            .analyze();
          expect(
            violations
              .filter((v) => v.impact === 'serious' || v.impact === 'critical')
              .map((v) => `${v.id}: ${v.help}`),
          ).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }
});
