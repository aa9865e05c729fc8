import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * The OAuth client story in a real browser against the real server: the create flow offers "OAuth client", shows the
 * client ID and the secret once, the secret obtains an access token at /oauth/token that reads people with exactly
 * the granted fields, and API Management lists the client beside keys.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
const owner = { email: `oauth-owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
const clientName = `Benefits OAuth ${stamp}`;
let page: Page;
let clientId = '';
let secret = '';

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

async function token(): Promise<Response> {
  const base = test.info().project.use.baseURL!;
  return fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
}

test('creates an OAuth client through the wizard: client ID and secret shown once, permissions saved', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`OAuth Acme ${stamp}`);
  await page.getByLabel('First name').fill('Olu');
  await page.getByLabel('Last name').fill('Ade');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  const person = await page.request.post('/api/v1/people', {
    headers: { 'X-CSRF-Token': me.csrfToken },
    data: { firstName: 'Ada', lastName: 'Lovelace', salary: 90000 },
  });
  expect(person.status()).toBe(201);

  await page.getByRole('link', { name: 'Create key', exact: true }).first().click();
  await page.getByRole('radio', { name: /OAuth client/ }).check();
  await page.getByLabel(/^Name/).fill(clientName);
  await page.getByLabel('API type').selectOption({ label: 'People API' });
  await page.getByRole('radio', { name: /Choose permissions/ }).check();
  await page.getByRole('button', { name: 'Generate key' }).click();

  await expect(page.getByRole('heading', { name: /Your new OAuth client/ })).toBeVisible();
  const field = page.getByLabel('Client secret', { exact: true });
  await expect(field).toHaveValue(/^kso_/);
  secret = await field.inputValue();
  clientId =
    (await page
      .locator('code', { hasText: /^[0-9a-f-]{36}$/ })
      .first()
      .textContent()) ?? '';
  expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
  await page.getByRole('checkbox', { name: 'I have stored the client secret' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('checkbox', { name: /View people records/ }).check();
  await page.getByLabel('First name', { exact: true }).selectOption('VIEW');
  await page.getByLabel('Last name', { exact: true }).selectOption('VIEW');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  await expect(page.getByRole('row', { name: new RegExp(clientName) })).toContainText('OAuth client');
});

test('the client secret obtains a token that reads people with exactly the granted fields', async () => {
  const res = await token();
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as Schemas['TokenResponse'];
  expect(body.token_type).toBe('Bearer');
  expect(body.scope).toBe('people:read');
  const base = test.info().project.use.baseURL!;
  const people = await fetch(`${base}/api/v1/people`, { headers: { Authorization: `Bearer ${body.access_token}` } });
  expect(people.status).toBe(200);
  const page1 = (await people.json()) as Schemas['PersonPage'];
  const ada = page1.items.find((p) => p.lastName === 'Lovelace')!;
  expect(Object.keys(ada).sort()).toEqual(['firstName', 'id', 'lastName']);
});

test('API Management lists the OAuth client beside keys; disabling it stops its tokens', async () => {
  await page.getByRole('link', { name: 'API Management' }).click();
  await expect(page.getByRole('heading', { name: 'API Management', level: 1 })).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(clientName) });
  await expect(row).toContainText('OAuth client');
  await row.getByRole('button', { name: `Disable ${clientName}` }).click();
  await expect(row).toContainText('Disabled');
  await expect.poll(async () => (await token()).status).toBe(401);
});
