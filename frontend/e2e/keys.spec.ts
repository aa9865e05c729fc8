import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * The key story in a real browser against the real server: sign up, create a key through the wizard (copy it, store
 * it, choose people:read with first and last name), call the data API with it, then govern it in API Management.
 */
test.describe.configure({ mode: 'serial' });

const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
const keyName = `Payroll sync ${stamp}`;
let page: Page;
let secret = '';

async function callPeople(key: string) {
  const base = test.info().project.use.baseURL!;
  return fetch(`${base}/api/v1/people`, {
    headers: { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
  });
}

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

test('a signed-out deep link goes to sign in with a gentle message', async () => {
  await page.goto('/settings/api-management');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings%2Fapi-management$/);
  await expect(page.getByText('Your session ended. Please sign in again to continue.')).toBeVisible();
});

test('signs up a new organization', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Acme ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.screenshot({ path: `${shots}/sign-up.png`, fullPage: true });
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  await expect(page.getByText('You have no API keys yet')).toBeVisible();
  await page.screenshot({ path: `${shots}/api-keys-empty.png`, fullPage: true });
});

test('creates a key through the wizard: copy, store, choose permissions, save', async () => {
  // A person to read later, created through the API with this session (CSRF token from /me).
  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  const created = await page.request.post('/api/v1/people', {
    headers: { 'X-CSRF-Token': me.csrfToken },
    data: { firstName: 'Grace', lastName: 'Hopper', workEmail: 'grace@acme.test', jobTitle: 'Admiral', salary: 100000 },
  });
  expect(created.status()).toBe(201);

  await page.getByRole('link', { name: 'Create key', exact: true }).first().click();
  await page.getByLabel(/^Name/).fill(keyName);
  await page.getByLabel('API type').selectOption({ label: 'People API' });
  await page.getByLabel('Description').fill('Nightly payroll export');
  await page.getByRole('radio', { name: /Choose permissions/ }).check();
  await page.screenshot({ path: `${shots}/wizard-details.png`, fullPage: true });
  await page.getByRole('button', { name: 'Generate key' }).click();

  const field = page.getByLabel('API key', { exact: true });
  await expect(field).toHaveValue(/^ksk_/);
  secret = await field.inputValue();
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await page.screenshot({ path: `${shots}/wizard-secret.png`, fullPage: true });

  // Leaving now asks first.
  await page.getByRole('region', { name: 'Profile' }).getByRole('button').click();
  await page.getByRole('link', { name: 'API Keys' }).click();
  const leave = page.getByRole('dialog', { name: 'Leave this page?' });
  await expect(leave).toBeVisible();
  await leave.getByRole('button', { name: 'Stay' }).click();
  await expect(field).toHaveValue(secret);

  const cont = page.getByRole('button', { name: 'Continue' });
  await expect(cont).toBeDisabled();
  await page.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await cont.click();

  await expect(page.getByRole('heading', { name: 'Manage permissions' })).toBeVisible();
  await page.getByRole('checkbox', { name: /View people records/ }).check();
  await page.getByLabel('First name', { exact: true }).selectOption('VIEW');
  await page.getByLabel('Last name', { exact: true }).selectOption('VIEW');
  await page.screenshot({ path: `${shots}/wizard-permissions.png`, fullPage: true });
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(page).toHaveURL(/\/api-keys$/);
  const row = page.getByRole('row', { name: new RegExp(keyName) });
  await expect(row).toContainText('People API');
  await expect(row).toContainText('Active');
  await page.screenshot({ path: `${shots}/api-keys.png`, fullPage: true });
});

test('the key reads people with exactly the granted fields', async () => {
  const res = await callPeople(secret);
  expect(res.status).toBe(200);
  const people = await json<Schemas['PersonPage']>(res);
  const grace = people.items.find((p) => p.lastName === 'Hopper')!;
  expect(grace).toBeDefined();
  expect(Object.keys(grace).sort()).toEqual(['firstName', 'id', 'lastName']);
});

test('an admin disables the key in API Management and it stops working; enables it again', async () => {
  await page.getByRole('link', { name: 'API Management' }).click();
  await expect(page.getByRole('heading', { name: 'API Management', level: 1 })).toBeVisible();
  await page.getByLabel('Search').fill('Payroll');
  const row = page.getByRole('row', { name: new RegExp(keyName) });
  await expect(row).toContainText('Ann Lee');
  await page.screenshot({ path: `${shots}/api-management.png`, fullPage: true });

  await row.getByRole('button', { name: `Disable ${keyName}` }).click();
  await expect(row).toContainText('Disabled');
  await expect.poll(async () => (await callPeople(secret)).status).toBe(401);

  await row.getByRole('button', { name: `Enable ${keyName}` }).click();
  await expect(row).toContainText('Active');
  await expect.poll(async () => (await callPeople(secret)).status).toBe(200);
});

test('rotates the key: a new secret is shown once and the old one stops without grace', async () => {
  const row = page.getByRole('row', { name: new RegExp(keyName) });
  await row.getByRole('button', { name: `Rotate ${keyName}` }).click();
  const dialog = page.getByRole('dialog', { name: `Rotate “${keyName}”` });
  await dialog
    .getByLabel('Grace period for the old secret')
    .selectOption({ label: 'None: the old secret stops at once' });
  await dialog.getByRole('button', { name: 'Rotate' }).click();

  const shown = page.getByRole('dialog', { name: `New secret for “${keyName}”` });
  const field = shown.getByLabel('New API key');
  await expect(field).toHaveValue(/^ksk_/);
  const rotated = await field.inputValue();
  expect(rotated).not.toBe(secret);
  await shown.getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(rotated);
  await page.screenshot({ path: `${shots}/rotate-secret.png` });
  await expect(shown.getByRole('button', { name: 'Done' })).toBeDisabled();
  await shown.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await shown.getByRole('button', { name: 'Done' }).click();

  await expect.poll(async () => (await callPeople(rotated)).status).toBe(200);
  await expect.poll(async () => (await callPeople(secret)).status).toBe(401);
  secret = rotated;
});

test('revokes the key after typing its name', async () => {
  const row = page.getByRole('row', { name: new RegExp(keyName) });
  await row.getByRole('button', { name: `Revoke ${keyName}` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke “${keyName}”` });
  const confirm = dialog.getByRole('button', { name: 'Revoke key' });
  await dialog.getByLabel(/Type the key name/).fill('wrong name');
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type the key name/).fill(keyName);
  await page.screenshot({ path: `${shots}/revoke-confirm.png` });
  await confirm.click();
  await expect(row).toContainText('Revoked');
  await expect.poll(async () => (await callPeople(secret)).status).toBe(401);
});

test('the other pages render for the owner', async () => {
  // the audit log reads as a list of sentences (issue 17), the others are tables
  for (const [link, heading, file, content] of [
    ['People', 'People', 'people', 'table'],
    ['Users', 'Users', 'users', 'table'],
    ['Audit log', 'Audit log', 'audit', 'list'],
    ['Access levels', 'Access levels', 'access-levels', 'table'],
  ] as const) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    await expect(
      content === 'list' ? page.getByRole('list', { name: 'Audit events' }) : page.getByRole('table'),
    ).toBeVisible();
    await page.screenshot({ path: `${shots}/${file}.png`, fullPage: true });
  }
});

test('works on a 390px phone', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/settings/api-management');
  await expect(page.getByRole('row', { name: new RegExp(keyName) })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${shots}/api-management-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('signs out from the profile menu and signs in again', async () => {
  await page.getByRole('region', { name: 'Profile' }).getByRole('button').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?signedOut=1$/);
  await expect(page.getByText('You signed out.')).toBeVisible();
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
  await page.screenshot({ path: `${shots}/sign-in.png`, fullPage: true });

  await page.getByLabel('E-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ann', level: 1 })).toBeVisible();
});
