import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Access levels and users in a real browser against the real server: the owner creates a custom level in the editor,
 * adds a non-employee user with it and copies the invitation link; that user accepts it in a fresh browser, creates
 * a key that inherits the level, and the key reads people with exactly the level's fields. Then the owner issues a
 * password-reset link and the user sets a new password with it.
 */
test.describe.configure({ mode: 'serial' });

const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
const integration = {
  first: 'Pat',
  last: 'Payroll',
  email: `payroll-${stamp}@acme.test`,
  password: 'payroll horse battery 1',
};
const newPassword = 'payroll horse battery 2';
const levelName = 'Payroll integration';
let page: Page;
let invitationLink = '';
let secret = '';

async function callPeople(key: string) {
  const base = test.info().project.use.baseURL!;
  return fetch(`${base}/api/v1/people`, {
    headers: { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
  });
}

/** Opens a one-time link in a browser of its own (nobody signed in), sets the password and lands signed in. */
async function acceptLink(browser: Browser, link: string, password: string, screenshot?: string) {
  const context = await browser.newContext();
  const fresh = await context.newPage();
  const url = new URL(link);
  await fresh.goto(url.pathname + url.hash);
  await expect(fresh.getByRole('heading', { name: 'Set your password' })).toBeVisible();
  await fresh.getByLabel('New password').fill(password);
  if (screenshot) await fresh.screenshot({ path: `${shots}/${screenshot}.png`, fullPage: true });
  await fresh.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(fresh.getByRole('heading', { name: `Welcome, ${integration.first}`, level: 1 })).toBeVisible();
  return fresh;
}

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

test('the owner signs up and adds a person with a salary', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Acme ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  const created = await page.request.post('/api/v1/people', {
    headers: { 'X-CSRF-Token': me.csrfToken },
    data: {
      firstName: 'Grace',
      lastName: 'Hopper',
      workEmail: 'grace@acme.test',
      jobTitle: 'Admiral',
      department: 'Navy',
      salary: 100000,
    },
  });
  expect(created.status()).toBe(201);
});

test('built-in levels open read-only', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access levels' }).click();
  await expect(page.getByRole('heading', { name: 'Access levels', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Employee', exact: true }).click();
  await expect(page.getByText('Built-in access level: read-only.')).toBeVisible();
  await expect(page.getByRole('button', { name: /Save|Create/ })).toHaveCount(0);
  await expect(page.getByLabel(/^Name/)).toHaveAttribute('readonly', '');
  await page.getByRole('link', { name: '← Access levels' }).click();
});

test('creates a custom access level in the editor', async () => {
  await page.getByRole('link', { name: '+ New access level' }).click();
  await expect(page.getByRole('heading', { name: 'New access level', level: 1 })).toBeVisible();
  await page.getByLabel(/^Name/).fill(levelName);
  await page.getByLabel('Description').fill('Reads names and pay for the payroll provider');

  // Leaving with unsaved changes asks first.
  await page.getByRole('link', { name: '← Access levels' }).click();
  const leave = page.getByRole('dialog', { name: 'Leave this page?' });
  await expect(leave).toBeVisible();
  await leave.getByRole('button', { name: 'Stay' }).click();
  await expect(page.getByLabel(/^Name/)).toHaveValue(levelName);

  await page.getByRole('radio', { name: /All records/ }).check();
  await page.getByRole('button', { name: 'Set all fields to None' }).click();
  for (const field of ['First name', 'Last name', 'Salary']) {
    await page.getByRole('radio', { name: `${field}: View` }).check();
  }
  await page.getByRole('checkbox', { name: /View people records/ }).check();
  await page
    .getByRole('group', { name: 'API keys' })
    .getByRole('checkbox', { name: /Create own API keys/ })
    .check();
  await page.screenshot({ path: `${shots}/access-level-editor.png`, fullPage: true });

  await page.getByRole('button', { name: 'Create access level' }).click();
  await expect(page).toHaveURL(/\/settings\/access-levels$/);
  const row = page.getByRole('row', { name: new RegExp(levelName) });
  await expect(row).toContainText('All');
  await page.screenshot({ path: `${shots}/access-levels-list.png`, fullPage: true });

  // The server kept exactly what was chosen.
  const levels = await json<Schemas['AccessLevelList']>(page.request.get('/api/v1/access-levels'));
  const saved = levels.items.find((l) => l.name === levelName)!;
  expect(saved.recordScope).toBe('ALL');
  expect([...saved.permissions].sort()).toEqual(['keys:create-own', 'people:read']);
  expect(saved.fieldRights).toEqual({ firstName: 'VIEW', lastName: 'VIEW', salary: 'VIEW' });
});

test('adds a non-employee user with that level and copies the invitation link', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: 'Add a non-employee user' }).click();
  const form = page.getByRole('form', { name: 'Add a non-employee user' });
  await form.getByLabel(/^First name/).fill(integration.first);
  await form.getByLabel(/^Last name/).fill(integration.last);
  await form.getByLabel(/^E-mail/).fill(integration.email);
  await form.getByLabel('Access level').selectOption({ label: levelName });
  await form.getByRole('button', { name: 'Add user' }).click();

  const field = page.getByLabel('Invitation link');
  await expect(field).toHaveValue(/\/accept-invitation#token=/);
  invitationLink = await field.inputValue();
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(invitationLink);
  const row = page.getByRole('row', { name: new RegExp(integration.email) });
  await expect(row).toContainText(levelName);
  await expect(row).toContainText('Invitation pending');
  await page.screenshot({ path: `${shots}/users-invitation.png`, fullPage: true });
  await page.getByRole('button', { name: 'Done' }).click();
});

test('the user accepts the invitation, creates an inheriting key, and the key reads only the level’s fields', async ({
  browser,
}) => {
  const user = await acceptLink(browser, invitationLink, integration.password, 'accept-invitation');
  await user.goto('/api-keys');
  await user.getByRole('link', { name: 'Create key', exact: true }).first().click();
  await user.getByLabel(/^Name/).fill(`Payroll export ${stamp}`);
  await user.getByLabel('API type').selectOption({ label: 'People API' });
  await user.getByRole('radio', { name: /Inherit my access/ }).check();
  await user.getByRole('button', { name: 'Generate key' }).click();
  const field = user.getByLabel('API key', { exact: true });
  await expect(field).toHaveValue(/^ksk_/);
  secret = await field.inputValue();
  await user.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await user.getByRole('button', { name: 'Continue' }).click();
  await expect(user).toHaveURL(/\/api-keys$/);
  await user.context().close();

  const res = await callPeople(secret);
  expect(res.status).toBe(200);
  const people = await json<Schemas['PersonPage']>(res);
  const grace = people.items.find((p) => p.lastName === 'Hopper')!;
  expect(grace).toBeDefined();
  expect(Object.keys(grace).sort()).toEqual(['firstName', 'id', 'lastName', 'salary']);
  expect(grace.salary).toBe(100000);
});

test('the owner issues a password-reset link and the user sets a new password with it', async ({ browser }) => {
  await page.reload();
  await page.getByRole('button', { name: `Reset password of ${integration.first} ${integration.last}` }).click();
  const region = page.getByRole('region', { name: `Password reset for ${integration.first} ${integration.last}` });
  const field = region.getByLabel('Password-reset link');
  await expect(field).toHaveValue(/\/accept-invitation#token=/);
  const link = await field.inputValue();
  expect(link).not.toBe(invitationLink);
  await region.getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await page.screenshot({ path: `${shots}/users-password-reset.png`, fullPage: true });

  const user = await acceptLink(browser, link, newPassword);
  await user.context().close();

  // The new password signs in; the old one no longer does; the link works only once.
  const signIn = async (password: string) => {
    const context = await browser.newContext();
    const status = (
      await context.request.post('/api/v1/session', { data: { email: integration.email, password } })
    ).status();
    await context.close();
    return status;
  };
  expect(await signIn(newPassword)).toBe(200);
  expect(await signIn(integration.password)).toBe(401);
  const again = await browser.newContext();
  const token = new URL(link).hash.replace('#token=', '');
  expect(
    (
      await again.request.post('/api/v1/invitations/accept', { data: { token, password: 'yet another password 3' } })
    ).status(),
  ).toBe(404);
  await again.close();
});

test('a level manager with fewer rights sees what they cannot grant, and cannot change a stronger level', async ({
  browser,
}) => {
  // A level that may manage levels but holds little itself, given to the user through the Users page.
  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  const made = await page.request.post('/api/v1/access-levels', {
    headers: { 'X-CSRF-Token': me.csrfToken },
    data: {
      name: 'Level manager',
      recordScope: 'OWN',
      fieldRights: { firstName: 'VIEW', lastName: 'VIEW' },
      permissions: ['people:read', 'access-levels:read', 'access-levels:manage'],
    },
  });
  expect(made.status()).toBe(201);
  await page.goto('/users');
  await page.getByRole('button', { name: `Change access level of ${integration.first} ${integration.last}` }).click();
  const dialog = page.getByRole('dialog', { name: `Access level of ${integration.first} ${integration.last}` });
  await dialog.getByLabel('Access level').selectOption({ label: 'Level manager' });
  await dialog.getByRole('button', { name: 'Change access level' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row', { name: new RegExp(integration.email) })).toContainText('Level manager');

  const context = await browser.newContext();
  const user = await context.newPage();
  await user.goto('/sign-in');
  await user.getByLabel('E-mail').fill(integration.email);
  await user.getByLabel('Password').fill(newPassword);
  await user.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(user.getByRole('heading', { name: `Welcome, ${integration.first}`, level: 1 })).toBeVisible();

  await user.goto('/settings/access-levels/new');
  const del = user.getByRole('checkbox', { name: /Delete people records/ });
  await expect(del).toBeDisabled();
  await expect(del).toHaveAccessibleDescription('You don’t have this right yourself');
  await expect(user.getByRole('radio', { name: /All records/ })).toBeDisabled();
  await expect(user.getByRole('radio', { name: 'Salary: View' })).toBeDisabled();
  await expect(user.getByRole('radio', { name: 'First name: View' })).toBeEnabled();
  await expect(user.getByRole('radio', { name: 'First name: Edit' })).toBeDisabled();
  await user.getByRole('button', { name: 'Set all fields to Edit' }).click();
  await expect(user.getByRole('radio', { name: 'First name: View' })).toBeChecked();
  await expect(user.getByRole('radio', { name: 'Salary: None' })).toBeChecked();
  await user.screenshot({ path: `${shots}/access-level-editor-limited.png`, fullPage: true });

  // The Payroll level grants more than this user holds: it opens read-only, and the server refuses a change anyway.
  await user.goto('/settings/access-levels');
  await user.getByRole('link', { name: levelName }).click();
  const note = user.getByRole('note').filter({ hasText: /this level grants rights you don’t hold yourself/ });
  await expect(note).toContainText('all records');
  await expect(user.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
  await expect(user.getByRole('button', { name: 'Delete access level' })).toHaveCount(0);
  await user.screenshot({ path: `${shots}/access-level-editor-stronger.png`, fullPage: true });
  const levels = await json<Schemas['AccessLevelList']>(user.request.get('/api/v1/access-levels'));
  const payroll = levels.items.find((l) => l.name === levelName)!;
  const userMe = await json<Schemas['Me']>(user.request.get('/api/v1/me'));
  const shrink = await user.request.put(`/api/v1/access-levels/${payroll.id}`, {
    headers: { 'X-CSRF-Token': userMe.csrfToken },
    data: { name: levelName, recordScope: 'OWN', fieldRights: { firstName: 'VIEW' }, permissions: ['people:read'] },
  });
  expect(shrink.status()).toBe(403);
  await context.close();
});

test('the list, the editor and the users page have no accessibility violations (axe, WCAG 2.1 AA)', async () => {
  const levels = await json<Schemas['AccessLevelList']>(page.request.get('/api/v1/access-levels'));
  const payroll = levels.items.find((l) => l.name === levelName)!;
  for (const path of [
    '/settings/access-levels',
    '/settings/access-levels/new',
    `/settings/access-levels/${payroll.id}`,
    '/users',
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(result.violations.map((v) => `${path}: ${v.id} (${v.nodes.length})`)).toEqual([]);
  }
});

test('the editor and users page work on a 375px phone', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [path, file] of [
    ['/settings/access-levels/new', 'access-level-editor-375'],
    ['/users', 'users-375'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('main').getByRole('button').first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${shots}/${file}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});
