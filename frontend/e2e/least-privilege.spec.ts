import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Least privilege in a real browser against the real server (issue 20): a key that used one of its two permissions
 * shows the unused one with the evidence, a shadow run counts what a smaller set would refuse, "reduce to what it
 * used" shrinks it on one click and "undo" restores it, and the organization's report counts the keys with rights
 * they never use.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
let page: Page;
let keyId = '';
let csrf = '';

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

test('a key that used one of its permissions, metered by the server', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Least ${stamp}`);
  await page.getByLabel('First name').fill('Lea');
  await page.getByLabel('Last name').fill('Stone');
  await page.getByLabel('Work e-mail').fill(`lp-${stamp}@acme.test`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  csrf = (await json<Schemas['Me']>(page.request.get('/api/v1/me'))).csrfToken;
  const created = await json<Schemas['ApiKeyWithSecret']>(
    page.request.post('/api/v1/api-keys', {
      headers: { 'X-CSRF-Token': csrf },
      data: {
        name: `Reader ${stamp}`,
        apiType: 'PEOPLE',
        permissionMode: 'SCOPED',
        permissions: ['people:read', 'people:delete'],
      },
    }),
  );
  keyId = created.key.id;
  const base = test.info().project.use.baseURL!;
  for (let i = 0; i < 2; i++) {
    const r = await fetch(`${base}/api/v1/people`, { headers: { Authorization: `Bearer ${created.secret}` } });
    expect(r.status).toBe(200);
  }
  // usage is written behind (every few seconds): wait until the report sees it
  await expect
    .poll(
      async () =>
        (await json<Schemas['KeyLeastPrivilege']>(page.request.get(`/api/v1/api-keys/${keyId}/least-privilege`)))
          .requests,
      { timeout: 30_000 },
    )
    .toBe(2);
});

test("the key's page shows the unused permission with the evidence, and shadow mode counts what a smaller set refuses", async () => {
  await page.goto(`/api-keys/${keyId}/edit`);
  const panel = page.getByRole('region', { name: 'Permissions it uses' });
  await expect(panel.getByText('1 of 2 permissions were not used in the last 30 days.')).toBeVisible();
  const read = panel.locator('tr[data-permission="people:read"]');
  await expect(read).toContainText('listPeople (2)');
  await expect(panel.locator('tr[data-permission="people:delete"]')).toContainText('Unused');
  await expect(panel.locator('tr[data-permission="people:delete"]')).toContainText('Never in the window');

  await panel.getByLabel('Keep people:read in the trial').uncheck();
  await panel.getByRole('button', { name: 'Try the ticked set (shadow mode)' }).click();
  await expect(
    panel.getByText(/2 of the last 30 days' 2 requests would have been refused: people:read 2/),
  ).toBeVisible();
  const key = await json<Schemas['ApiKey']>(page.request.get(`/api/v1/api-keys/${keyId}`));
  expect(key.permissions).toEqual(['people:read', 'people:delete']);
});

test('reduce to what it used is one click, audited, and undo restores the previous permissions', async () => {
  const panel = page.getByRole('region', { name: 'Permissions it uses' });
  await panel.getByRole('button', { name: 'Reduce to what it used' }).click();
  const reloaded = page.getByRole('region', { name: 'Permissions it uses' });
  await expect(reloaded.getByText(/Reduced on .* \(it had people:read, people:delete\)/)).toBeVisible();
  await expect(reloaded.getByText('This key used every permission it has in the last 30 days.')).toBeVisible();
  let key = await json<Schemas['ApiKey']>(page.request.get(`/api/v1/api-keys/${keyId}`));
  expect(key.permissions).toEqual(['people:read']);

  await reloaded.getByRole('button', { name: 'Undo the reduction' }).click();
  await expect(page.getByRole('region', { name: 'Permissions it uses' }).getByText(/Undone on /)).toBeVisible();
  key = await json<Schemas['ApiKey']>(page.request.get(`/api/v1/api-keys/${keyId}`));
  expect(key.permissions).toEqual(['people:read', 'people:delete']);

  const events = await json<Schemas['AuditEventPage']>(page.request.get('/api/v1/audit-events?limit=20'));
  const actions = events.items.map((e) => e.action);
  expect(actions).toContain('api-key.reduced-to-used');
  expect(actions).toContain('api-key.reduction-undone');
});

test("the organization's report says how many keys have rights they never use", async () => {
  await page.goto('/usage');
  await page.getByRole('link', { name: 'Unused permissions' }).click();
  await expect(page).toHaveURL(/\/least-privilege$/);
  await expect(
    page.getByText('1 key has rights it never uses (1 unused permission over 1 active key, last 30 days).'),
  ).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(`Reader ${stamp}`) });
  await expect(row).toContainText('people:delete');
  await row.getByRole('link', { name: `Reader ${stamp}` }).click();
  await expect(page).toHaveURL(new RegExp(`/api-keys/${keyId}/edit$`));
});
