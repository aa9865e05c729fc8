import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * The shell's details against the real server: the shown-once secret is monospaced (l, I and 1 differ), a user's
 * deactivation is confirmed naming how many keys stop, errors read as sentences with focus on a summary, a wrong id
 * in the address is a not-found page, and a draft survives an expired session without keeping any password.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
const owner = { email: `shell-${stamp}@acme.test`, password: 'correct horse battery staple' };
let page: Page;
let csrf = '';

test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Shell ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  csrf = (await json<Schemas['Me']>(page.request.get('/api/v1/me'))).csrfToken;
});
test.afterAll(async () => page?.context().close());

test('the shown-once link is monospaced: l, I and 1 are as wide as M', async () => {
  await page.goto('/users');
  await page.getByRole('button', { name: 'Add an employee' }).click();
  await page.getByLabel(/^First name/).fill('Ida');
  await page.getByLabel(/^Last name/).fill('Lovelace');
  await page.getByLabel(/^E-mail/).fill(`ida-${stamp}@acme.test`);
  await page.getByRole('button', { name: 'Add user' }).click();
  const field = page.getByLabel('Invitation link');
  await expect(field).toBeVisible();
  const widths = await field.evaluate((el) => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    // Not the `font` shorthand: it serializes to "" when a longhand (font-variant-ligatures: none) has no shorthand.
    const style = getComputedStyle(el);
    ctx.font = `${style.fontSize} ${style.fontFamily}`;
    return ['llll', 'IIII', '1111', 'MMMM'].map((s) => ctx.measureText(s).width);
  });
  expect(new Set(widths.map((w) => Math.round(w))).size, `widths ${widths.join(', ')}`).toBe(1);
  await page.getByRole('button', { name: 'Done' }).click();
});

test('deactivating a user asks first, naming how many of their keys stop', async () => {
  // A user owning two active keys: the admin creates them and transfers them to the new user through the API.
  const created = await page.request.post('/api/v1/users', {
    headers: { 'X-CSRF-Token': csrf },
    data: { firstName: 'Kim', lastName: 'Keys', email: `kim-${stamp}@acme.test`, kind: 'EMPLOYEE' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const kim = (await json<Schemas['UserWithLink']>(created)).user;
  for (const name of ['Kim one', 'Kim two']) {
    const key = await json<Schemas['ApiKeyWithSecret']>(
      page.request.post('/api/v1/api-keys', {
        headers: { 'X-CSRF-Token': csrf },
        data: { name, apiType: 'PEOPLE', permissionMode: 'INHERIT' },
      }),
    );
    const moved = await page.request.post(`/api/v1/api-keys/${key.key.id}/transfer`, {
      headers: { 'X-CSRF-Token': csrf },
      data: { ownerUserId: kim.id },
    });
    expect(moved.status(), await moved.text()).toBeLessThan(300);
  }
  await page.goto('/users');
  await page.getByRole('button', { name: 'Deactivate Kim Keys' }).click();
  const dialog = page.getByRole('dialog', { name: 'Deactivate Kim Keys?' });
  await expect(dialog.getByText('2 active API keys stop working at once.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const still = await json<Schemas['UserPage']>(page.request.get('/api/v1/users?limit=200'));
  expect(still.items.find((u) => u.id === kim.id)!.status).toBe('ACTIVE');

  await page.getByRole('button', { name: 'Deactivate Kim Keys' }).click();
  await page
    .getByRole('dialog', { name: 'Deactivate Kim Keys?' })
    .getByRole('button', { name: 'Deactivate Kim' })
    .click();
  await expect(page.getByText('Kim Keys was deactivated.')).toBeVisible();
  const after = await json<Schemas['UserPage']>(page.request.get('/api/v1/users?limit=200'));
  expect(after.items.find((u) => u.id === kim.id)!.status).toBe('DEACTIVATED');
});

test('a wrong key id in the address is a not-found page, without "Try again"', async () => {
  await page.goto('/api-keys/not-a-uuid/edit');
  await expect(page.getByText('Nothing here')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(page.getByText(/uuid/)).toHaveCount(0);
});

test('a draft survives an expired session, restored after sign-in; no password is ever stored', async () => {
  await page.goto('/users');
  await page.getByRole('button', { name: 'Add an employee' }).click();
  await page.getByLabel(/^First name/).fill('Draft');
  await page.getByLabel(/^Last name/).fill('Person');
  await page.getByLabel(/^E-mail/).fill(`draft-${stamp}@acme.test`);
  await page.context().clearCookies(); // the session ends
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fusers$/);
  await page.getByLabel(/^E-mail/).fill(owner.email);
  await page.getByLabel(/^Password/).fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByText(/Restored what you typed before/)).toBeVisible();
  await expect(page.getByLabel(/^First name/)).toHaveValue('Draft');
  await expect(page.getByLabel(/^E-mail/)).toHaveValue(`draft-${stamp}@acme.test`);
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  expect(stored).toContain('Draft');
  expect(stored).not.toContain(owner.password);
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('a failed submit moves focus to an error summary whose link leads to the field', async () => {
  await page.goto('/users');
  await page.getByRole('button', { name: 'Add an employee' }).click();
  await page.getByLabel(/^First name/).fill('X'.repeat(300));
  await page.getByLabel(/^Last name/).fill('Long');
  await page.getByLabel(/^E-mail/).fill(`long-${stamp}@acme.test`);
  await page.getByRole('button', { name: 'Add user' }).click();
  const summary = page.locator('[data-error-summary]');
  await expect(summary).toBeFocused();
  const link = summary.getByRole('link');
  await expect(link).toHaveText(/^First name /);
  await expect(summary).not.toContainText("Field '");
  await link.click();
  await expect(page.getByLabel(/^First name/)).toBeFocused();
});
