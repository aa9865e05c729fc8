import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * API Management's tools in a real browser against the real server (issue 17 item 2 and the admin flow gaps): sort
 * and filters in the address, bulk disable with a confirmation, the CSV export of the filtered list, "Create key" for
 * an integration user, transfer with no pre-selection and the candidate's access level, and a message after rotate,
 * transfer and revoke that says what happened.
 */
test.describe.configure({ mode: 'serial' });

const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `mgmt-${stamp}@acme.test`, password: 'correct horse battery staple' };
const tag = `Mg${stamp}`;
let page: Page;
let csrf = '';
let integration: Schemas['User'];

async function createKey(body: Record<string, unknown>) {
  const res = await page.request.post('/api/v1/api-keys', { headers: { 'X-CSRF-Token': csrf }, data: body });
  expect(res.status(), await res.text()).toBe(201);
  return json<Schemas['ApiKeyWithSecret']>(res);
}

const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
/** The page's success message (the header's health badge is a status too). */
const notice = () => page.locator('.alert[role="status"]');

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
  csrf = (await json<Schemas['Me']>(page.request.get('/api/v1/me'))).csrfToken;
  for (const name of ['b-beta', 'a-alpha', 'c-gamma']) {
    await createKey({ name: `${tag} ${name}`, apiType: 'PEOPLE', permissionMode: 'INHERIT' });
  }
  await createKey({ name: `${tag} =formula`, apiType: 'PEOPLE', permissionMode: 'INHERIT', description: '=1+1' });
  const levels = await json<Schemas['AccessLevelList']>(page.request.get('/api/v1/access-levels'));
  const employee = levels.items.find((l) => l.builtin === 'EMPLOYEE')!;
  const created = await page.request.post('/api/v1/users', {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      email: `integration-${stamp}@acme.test`,
      firstName: 'Inte',
      lastName: 'Gration',
      kind: 'NON_EMPLOYEE',
      accessLevelId: employee.id,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  integration = (await json<Schemas['UserWithLink']>(created)).user;
});
test.afterAll(async () => page.context().close());

test('sort and filters live in the address: a link opens the same view, a header click re-sorts', async () => {
  await page.goto(`/settings/api-management?q=${tag}&sort=name&order=desc`);
  const names = page.getByRole('row').filter({ hasText: tag }).locator('strong');
  await expect(names).toHaveText([`${tag} c-gamma`, `${tag} b-beta`, `${tag} a-alpha`, `${tag} =formula`]);
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByLabel('Search')).toHaveValue(tag);

  await page.getByRole('button', { name: /^Name/ }).click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(page).not.toHaveURL(/order=desc/);
  await expect(names.first()).toHaveText(`${tag} =formula`);

  await page.getByLabel('Status').selectOption('DISABLED');
  await expect(page).toHaveURL(/status=DISABLED/);
  await expect(page.getByText('No keys match')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Status')).toHaveValue('DISABLED');
  await page.getByLabel('Status').selectOption('');
  await expect(names).toHaveCount(4);
  await page.screenshot({ path: `${shots}/api-management-sorted.png`, fullPage: true });
});

test('two selected keys are disabled in bulk after a confirmation, with one message for both', async () => {
  await row(`${tag} a-alpha`).getByRole('checkbox').check();
  await row(`${tag} b-beta`).getByRole('checkbox').check();
  await expect(page.getByRole('region', { name: 'Selected keys' })).toContainText('2 selected');
  await page.getByRole('button', { name: 'Disable selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disable 2 keys?' });
  await expect(dialog).toContainText(`${tag} a-alpha`);
  await page.screenshot({ path: `${shots}/api-management-bulk.png` });
  await dialog.getByRole('button', { name: 'Disable 2 keys' }).click();
  await expect(notice()).toContainText('2 keys disabled.');
  await expect(row(`${tag} a-alpha`)).toContainText('Disabled');
  await expect(row(`${tag} b-beta`)).toContainText('Disabled');
  await expect(row(`${tag} c-gamma`)).toContainText('Active');
});

test('the CSV export holds the filtered list, formulas defused and no secret', async () => {
  await page.getByLabel('Status').selectOption('DISABLED');
  await expect(page.getByRole('row').filter({ hasText: tag })).toHaveCount(2);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const csv = (await readFile(file, 'utf8')).replace('\uFEFF', '');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toMatch(/^id,name,description,hint,/);
  expect(lines).toHaveLength(3);
  expect(csv).toContain(`${tag} a-alpha`);
  expect(csv).not.toContain('c-gamma');

  await page.getByLabel('Status').selectOption('');
  const all = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const text = await readFile(await (await all).path(), 'utf8');
  expect(text).toContain(`,${tag} =formula,'=1+1,`);
});

test('an admin creates a key for an integration user from API Management', async () => {
  await page.getByRole('link', { name: 'Create key' }).click();
  await page.getByLabel(/^Name/).fill(`${tag} for integration`);
  await page.getByLabel('Owner').selectOption(integration.id);
  await expect(page.getByRole('radio', { name: /Inherit the owner’s access/ })).toBeVisible();
  await page.getByRole('radio', { name: /Inherit the owner’s access/ }).check();
  await page.getByLabel(/Rate limit/).fill('120');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue(/^ksk_/);
  await page.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/settings\/api-management/);
  await page.getByLabel('Search').fill(`${tag} for`);
  await expect(row(`${tag} for integration`)).toContainText('Inte Gration');
});

test('transfer: nobody pre-selected, each candidate with their access level, what the key keeps, then a message', async () => {
  await page.getByLabel('Search').fill(`${tag} c-gamma`);
  await row(`${tag} c-gamma`)
    .getByRole('button', { name: `Transfer ${tag} c-gamma` })
    .click();
  const dialog = page.getByRole('dialog', { name: `Transfer “${tag} c-gamma”` });
  const select = dialog.getByLabel('New owner');
  await expect(select).toHaveValue('');
  await expect(dialog.getByRole('button', { name: 'Transfer' })).toBeDisabled();
  await expect(select.locator('option', { hasText: 'Inte Gration' })).toContainText('Employee');
  await select.selectOption(integration.id);
  await expect(dialog.getByTestId('transfer-effect')).toContainText('Employee');
  await expect(dialog.getByTestId('transfer-effect')).toContainText('follow');
  await page.screenshot({ path: `${shots}/api-management-transfer.png` });
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  await expect(notice()).toContainText(`“${tag} c-gamma” now belongs to Inte Gration.`);
  await expect(row(`${tag} c-gamma`)).toContainText('Inte Gration');
});

test('rotate says until when the old secret works; revoke says revoked', async () => {
  await page.getByLabel('Search').fill(`${tag} =formula`);
  const name = `${tag} =formula`;
  await row(name)
    .getByRole('button', { name: `Rotate ${name}` })
    .click();
  const dialog = page.getByRole('dialog', { name: `Rotate “${name}”` });
  await dialog.getByLabel('Grace period for the old secret').selectOption({ label: '1 hour' });
  await dialog.getByRole('button', { name: 'Rotate' }).click();
  const shown = page.getByRole('dialog', { name: `New secret for “${name}”` });
  await expect(shown).toContainText('The old secret keeps working until');
  await shown.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(notice()).toContainText(`“${name}” has a new secret. The old secret keeps working until`);

  await row(name)
    .getByRole('button', { name: `Revoke ${name}` })
    .click();
  const revoke = page.getByRole('dialog', { name: `Revoke “${name}”` });
  await revoke.getByLabel(/Type the key name/).fill(name);
  await revoke.getByRole('button', { name: 'Revoke key' }).click();
  await expect(notice()).toContainText(`“${name}” is revoked.`);
  await expect(notice()).not.toContainText('disabled');
  await expect(row(name)).toContainText('Revoked');
});

test('each key’s rate limit shows in API Management and in the owner’s own list, a default saying so', async () => {
  const rate = `Rate${stamp}`;
  await createKey({ name: `${rate} own`, apiType: 'PEOPLE', permissionMode: 'INHERIT', rateLimitPerMinute: 1500 });
  await createKey({ name: `${rate} default`, apiType: 'PEOPLE', permissionMode: 'INHERIT' });
  const types = await json<Schemas['ApiTypeList']>(page.request.get('/api/v1/api-types'));
  const people = types.items.find((t) => t.name === 'PEOPLE')!.defaultRateLimitPerMinute;

  const label = (name: string) => row(name).locator('.rate-limit');
  await page.goto(`/settings/api-management?q=${rate}`);
  await expect(label(`${rate} own`)).toHaveText('Rate limit: 1,500/min');
  await expect(label(`${rate} default`)).toHaveText(`Rate limit: ${people.toLocaleString('en-US')}/min · default`);
  await page.goto('/api-keys');
  await expect(page.getByRole('columnheader', { name: 'Rate limit' })).toBeVisible();
  await expect(label(`${rate} own`)).toHaveText('1,500/min');
  await expect(label(`${rate} default`)).toHaveText(`${people.toLocaleString('en-US')}/minAPI type default`);
});
