import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Every page of the SPA at a 390 px phone and at 1280 px, in the light and the dark theme, against the real server:
 * on phones the navigation folds behind a menu button; the profile menu (API Keys, Sign out) opens unclipped on every
 * page; on desktop the sidebar is as tall as the page; nothing scrolls sideways; axe finds no serious or critical
 * violation (colour contrast included, so the dark theme is checked too).
 */

const shots = '../e2e/target/screenshots/layout';
const stamp = Date.now();
const owner = { email: `layout-${stamp}@acme.test`, password: 'correct horse battery staple' };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

// Each test is a page visit, axe twice and the menus: a loaded 2-core machine needs more than the default minute.
test.describe.configure({ timeout: 120_000 });

let page: Page;
const ids = { key: '', level: '' };

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  page = await (await browser.newContext()).newPage();
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Layout ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  // Data on the pages: a key, a person, an invited user with a long address, a custom access level.
  const request = page.request;
  const { csrfToken } = await json<Schemas['Me']>(request.get('/api/v1/me'));
  const headers = { 'X-CSRF-Token': csrfToken };
  const key = await request.post('/api/v1/api-keys', {
    headers,
    data: { name: 'Payroll sync', apiType: 'PEOPLE', permissionMode: 'INHERIT' },
  });
  expect(key.status(), await key.text()).toBe(201);
  ids.key = (await json<Schemas['ApiKeyWithSecret']>(key)).key.id;
  const person = await request.post('/api/v1/people', {
    headers,
    data: { firstName: 'Grace', lastName: 'Hopper', workEmail: 'grace@acme.test', jobTitle: 'Admiral' },
  });
  expect(person.status(), await person.text()).toBe(201);
  const user = await request.post('/api/v1/users', {
    headers,
    data: {
      firstName: 'Bartholomew',
      lastName: 'Featherstonehaugh',
      email: `bartholomew.featherstonehaugh.${stamp}@integrations.acme-corporation.test`,
      kind: 'EMPLOYEE',
    },
  });
  expect(user.status(), await user.text()).toBe(201);
  const levels = await json<Schemas['AccessLevelList']>(request.get('/api/v1/access-levels'));
  ids.level = levels.items.find((l) => l.builtin === 'EMPLOYEE')!.id;
});
test.afterAll(async () => page?.context().close());

type Target = { name: string; path: () => string; heading: RegExp | string };

/** Every route of src/app/router.tsx that a signed-in person reaches. */
const SIGNED_IN: Target[] = [
  { name: 'home', path: () => '/', heading: /^Welcome, Ann/ },
  { name: 'api-keys', path: () => '/api-keys', heading: 'API Keys' },
  { name: 'new-key', path: () => '/api-keys/new', heading: /New API key|Create key|Create/i },
  { name: 'edit-key', path: () => `/api-keys/${ids.key}/edit`, heading: /Payroll sync|Edit/ },
  { name: 'key-usage', path: () => `/api-keys/${ids.key}/usage`, heading: /Usage of/ },
  { name: 'usage', path: () => '/usage', heading: 'Usage' },
  { name: 'partners', path: () => '/partners', heading: 'Partners' },
  { name: 'people', path: () => '/people', heading: 'People' },
  { name: 'users', path: () => '/users', heading: 'Users' },
  { name: 'audit', path: () => '/audit', heading: 'Audit log' },
  { name: 'api-management', path: () => '/settings/api-management', heading: 'API Management' },
  { name: 'access-levels', path: () => '/settings/access-levels', heading: 'Access levels' },
  { name: 'new-access-level', path: () => '/settings/access-levels/new', heading: /access level/i },
  { name: 'access-level', path: () => `/settings/access-levels/${ids.level}`, heading: /Employee/ },
  { name: 'policies', path: () => '/settings/policies', heading: /Polic/i },
  { name: 'not-found', path: () => '/no-such-page', heading: 'Page not found' },
];
const SIGNED_OUT: Target[] = [
  { name: 'sign-in', path: () => '/sign-in', heading: 'Sign in' },
  { name: 'sign-up', path: () => '/sign-up', heading: 'Create your organization' },
  { name: 'accept-invitation', path: () => '/accept-invitation#token=x', heading: /password/i },
];

/** Fails when any part of the element is hidden: outside the viewport, cut off by a scrolling ancestor, or covered. */
async function expectUnclipped(locator: Locator, what: string) {
  await expect(locator, what).toBeVisible();
  await locator.scrollIntoViewIfNeeded();
  const problem = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight)
      return `outside the viewport: ${JSON.stringify(r)}`;
    const points = [
      [r.left + 3, r.top + 3],
      [r.right - 3, r.top + 3],
      [r.left + 3, r.bottom - 3],
      [r.right - 3, r.bottom - 3],
      [r.left + r.width / 2, r.top + r.height / 2],
    ];
    for (const [x, y] of points) {
      const hit = document.elementFromPoint(x!, y!);
      if (!hit || !(hit === el || el.contains(hit)))
        return `at (${Math.round(x!)}, ${Math.round(y!)}) the browser shows ${hit?.outerHTML.slice(0, 80) ?? 'nothing'}`;
    }
    return '';
  });
  expect(problem, what).toBe('');
}

async function expectNoSidewaysScroll(p: Page, what: string) {
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what} scrolls sideways`).toBeLessThanOrEqual(0);
}

async function expectNoSeriousAxeViolation(p: Page, what: string) {
  const { violations } = await new AxeBuilder({ page: p }).withTags(TAGS).analyze();
  const blocking = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n')}`);
  expect(blocking, what).toEqual([]);
}

async function open(p: Page, target: Target) {
  await p.goto(target.path());
  await expect(p.getByRole('heading', { level: 1, name: target.heading })).toBeVisible();
  await expect(p.locator('.loading')).toHaveCount(0);
}

/** The profile menu opens unclipped and both its items are usable. */
async function checkProfileMenu(p: Page, what: string) {
  const profile = p.getByRole('region', { name: 'Profile' });
  await profile.getByRole('button', { name: /Ann Lee/ }).click();
  await expectUnclipped(profile.getByRole('link', { name: 'API Keys' }), `${what}: API Keys in the profile menu`);
  await expectUnclipped(profile.getByRole('button', { name: 'Sign out' }), `${what}: Sign out in the profile menu`);
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.beforeEach(async () => page.emulateMedia({ colorScheme: theme }));

    for (const target of SIGNED_IN) {
      // The dark pass checks contrast, which the phone layout does not change except in the folded menu: at 390 px
      // it visits the first page only (keeps bin/test within its time budget; the light pass visits every page).
      if (theme === 'light' || target === SIGNED_IN[0])
        test(`${target.name} at 390 px: navigation behind a menu button, menus unclipped, no sideways scroll, axe clean`, async () => {
          await page.setViewportSize(PHONE);
          await open(page, target);
          const nav = page.getByRole('navigation', { name: 'Main' });
          const menu = page.getByRole('button', { name: 'Menu' });
          await expect(nav).toBeHidden();
          await expect(menu).toHaveAttribute('aria-expanded', 'false');
          // The folded top bar leaves the page the screen (the unfolded navigation took ~37% of it).
          const bar = (await page.locator('header.sidebar').boundingBox())!;
          expect(bar.height, 'top bar height').toBeLessThanOrEqual(80);
          await expectNoSidewaysScroll(page, `${target.name} at 390 px`);
          await expectNoSeriousAxeViolation(page, `${target.name} at 390 px, ${theme}`);
          if (theme === 'light') await page.screenshot({ path: `${shots}/${target.name}-390.png`, fullPage: true });

          await menu.click();
          await expect(menu).toHaveAttribute('aria-expanded', 'true');
          await expect(nav).toBeVisible();
          await checkProfileMenu(page, `${target.name} at 390 px`);
          await expectNoSidewaysScroll(page, `${target.name} at 390 px with the menu open`);
          await expectNoSeriousAxeViolation(page, `${target.name} at 390 px with the menu open, ${theme}`);
          if (theme === 'light') await page.screenshot({ path: `${shots}/${target.name}-390-menu.png` });
        });

      test(`${target.name} at 1280 px: sidebar as tall as the page, profile menu unclipped, axe clean`, async () => {
        await page.setViewportSize(DESKTOP);
        await open(page, target);
        await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
        await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
        const { sidebar, document } = await page.evaluate(() => ({
          sidebar: window.document.querySelector('header.sidebar')!.getBoundingClientRect().height,
          document: window.document.documentElement.scrollHeight,
        }));
        expect(sidebar, 'the sidebar spans the whole page').toBeGreaterThanOrEqual(document - 1);
        await expectNoSidewaysScroll(page, `${target.name} at 1280 px`);
        await checkProfileMenu(page, `${target.name} at 1280 px`);
        await expectNoSeriousAxeViolation(page, `${target.name} at 1280 px, ${theme}`);
      });
    }

    for (const target of SIGNED_OUT) {
      for (const size of theme === 'light' ? [PHONE, DESKTOP] : [DESKTOP]) {
        test(`${target.name} at ${size.width} px: no sideways scroll, axe clean`, async ({ browser }) => {
          const context = await browser.newContext({ viewport: size, colorScheme: theme });
          const signedOut = await context.newPage();
          try {
            await open(signedOut, target);
            await expectNoSidewaysScroll(signedOut, `${target.name} at ${size.width} px`);
            await expectNoSeriousAxeViolation(signedOut, `${target.name} at ${size.width} px, ${theme}`);
          } finally {
            await context.close();
          }
        });
      }
    }
  });
}

test('the theme switch overrides the system setting and is remembered', async () => {
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  // through the locator: it waits for <main> (the signed-in shell may still be loading right after a navigation)
  const background = () => page.locator('main').evaluate((main) => getComputedStyle(main).color);
  const light = await background();
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // polled: the theme's colours may take a frame (or a transition) to apply after the attribute changes
  await expect.poll(background).not.toBe(light);
  await page.reload();
  await expect(page.getByLabel('Theme')).toHaveValue('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expectNoSeriousAxeViolation(page, 'home, dark by choice under a light system');
  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  await expect.poll(background).toBe(light);
});
