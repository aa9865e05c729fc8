import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Every long form against the real server: a failed submit moves focus to an error summary whose links lead to the
 * fields, and what was typed survives an expired session (restored after signing in again, never a password). Also:
 * a key made for another user is offered that user's rights, not the admin's.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
const owner = { email: `forms-${stamp}@acme.test`, password: 'correct horse battery staple' };
let page: Page;
let csrf = '';

test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Forms ${stamp}`);
  await page.getByLabel('First name').fill('Fay');
  await page.getByLabel('Last name').fill('Form');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  csrf = (await json<Schemas['Me']>(page.request.get('/api/v1/me'))).csrfToken;
});
test.afterAll(async () => page?.context().close());

/** Ends the session as an expiry would (the cookie is gone), submits, and signs in again on the page it sends to. */
async function expireSubmitAndSignIn(submit: string, back: RegExp) {
  await page.context().clearCookies();
  await page.getByRole('button', { name: submit, exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel(/^E-mail/).fill(owner.email);
  await page.getByLabel(/^Password/).fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(back);
  csrf = (await json<Schemas['Me']>(page.request.get('/api/v1/me'))).csrfToken;
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  expect(stored).not.toContain(owner.password);
  expect(stored).not.toMatch(/ksk_[A-Za-z0-9]{20,}/);
}

/** The draft keys in this tab's sessionStorage (lib/drafts). */
const drafts = () => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('keysmith.draft.')));

async function summaryLeadsTo(linkText: RegExp, field: ReturnType<Page['getByLabel']>) {
  const summary = page.locator('[data-error-summary]');
  await expect(summary).toBeFocused();
  const link = summary.getByRole('link', { name: linkText });
  await link.click();
  await expect(field).toBeFocused();
}

test('access-level editor: an empty name focuses the summary; a draft survives the session', async () => {
  await page.goto('/settings/access-levels/new');
  await page.getByRole('button', { name: 'Create access level' }).click();
  await summaryLeadsTo(/^Name: /, page.getByLabel(/^Name/));

  await page.getByLabel(/^Name/).fill(`Draft level ${stamp}`);
  await page.getByLabel('Description').fill('typed before the session ended');
  await expireSubmitAndSignIn('Create access level', /\/settings\/access-levels\/new$/);
  await expect(page.getByText('Restored your unsaved changes')).toBeVisible();
  await expect(page.getByLabel(/^Name/)).toHaveValue(`Draft level ${stamp}`);
  await expect(page.getByLabel('Description')).toHaveValue('typed before the session ended');

  await page.getByRole('button', { name: 'Create access level' }).click();
  await expect(page).toHaveURL(/\/settings\/access-levels$/);
  expect(await drafts()).not.toContainEqual(expect.stringContaining('access-level'));
  const levels = await json<Schemas['AccessLevelList']>(page.request.get('/api/v1/access-levels'));
  expect(levels.items.map((l) => l.name)).toContain(`Draft level ${stamp}`);
});

test('policies: a refused range focuses the summary, whose link leads to its row; a draft survives the session', async () => {
  await page.goto('/settings/policies');
  await page.getByLabel('Maximum key lifetime (days)').fill('45');
  await page.getByRole('button', { name: '+ Add IP range' }).click();
  await page.getByLabel('IP range 1', { exact: true }).fill('10.0.0.0/33');
  await page.getByRole('button', { name: 'Save policies' }).click();
  await summaryLeadsTo(/^IP range 1: /, page.getByLabel('IP range 1', { exact: true }));

  await expireSubmitAndSignIn('Save policies', /\/settings\/policies$/);
  await expect(page.getByText('Restored your unsaved changes')).toBeVisible();
  await expect(page.getByLabel('Maximum key lifetime (days)')).toHaveValue('45');
  await expect(page.getByLabel('IP range 1', { exact: true })).toHaveValue('10.0.0.0/33');
  await page.getByRole('button', { name: 'Discard changes' }).click();
  await expect(page.getByLabel('Maximum key lifetime (days)')).toHaveValue('');
  expect(await drafts()).not.toContainEqual(expect.stringContaining('policies'));
  await page.reload();
  await expect(page.getByText('Restored your unsaved changes')).toHaveCount(0);
});

test('create-key wizard, step 1: an empty name focuses the summary; its fields survive the session', async () => {
  await page.goto('/api-keys/new');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await summaryLeadsTo(/Give the key a name/, page.getByLabel(/^Name/));

  await page.getByLabel(/^Name/).fill(`Draft key ${stamp}`);
  await page.getByLabel('Description').fill('for the payroll sync');
  await page.getByLabel(/Rate limit/).fill('90');
  await expireSubmitAndSignIn('Generate key', /\/api-keys\/new/);
  await expect(page.getByText('Restored what you typed before')).toBeVisible();
  await expect(page.getByLabel(/^Name/)).toHaveValue(`Draft key ${stamp}`);
  await expect(page.getByLabel('Description')).toHaveValue('for the payroll sync');
  await expect(page.getByLabel(/Rate limit/)).toHaveValue('90');
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await drafts()).not.toContainEqual(expect.stringContaining('keys.create'));
});

test('edit-key page: an emptied name focuses the summary; a change survives the session', async () => {
  const made = await json<Schemas['ApiKeyWithSecret']>(
    page.request.post('/api/v1/api-keys', {
      headers: { 'X-CSRF-Token': csrf },
      data: { name: `Edit me ${stamp}`, apiType: 'PEOPLE', permissionMode: 'INHERIT' },
    }),
  );
  await page.goto(`/api-keys/${made.key.id}/edit`);
  await page.getByLabel(/^Name/).fill('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await summaryLeadsTo(/Give the key a name/, page.getByLabel(/^Name/));

  await page.getByLabel(/^Name/).fill(`Renamed ${stamp}`);
  await expireSubmitAndSignIn('Save changes', new RegExp(`/api-keys/${made.key.id}/edit$`));
  await expect(page.getByText('Restored your unsaved changes')).toBeVisible();
  await expect(page.getByLabel(/^Name/)).toHaveValue(`Renamed ${stamp}`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(/Changes saved/)).toBeVisible();
  expect(await drafts()).not.toContainEqual(expect.stringContaining('keys.edit'));
  const after = await json<Schemas['ApiKey']>(page.request.get(`/api/v1/api-keys/${made.key.id}`));
  expect(after.name).toBe(`Renamed ${stamp}`);
});

test('a key made for another user offers that user’s rights in the permission step, not the admin’s', async () => {
  const level = await page.request.post('/api/v1/access-levels', {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      name: `Reader ${stamp}`,
      recordScope: 'OWN',
      fieldRights: { firstName: 'VIEW' },
      permissions: ['people:read', 'keys:create-own'],
    },
  });
  expect(level.status(), await level.text()).toBe(201);
  const levelId = (await json<Schemas['AccessLevel']>(level)).id;
  const user = await page.request.post('/api/v1/users', {
    headers: { 'X-CSRF-Token': csrf },
    data: {
      firstName: 'Rita',
      lastName: 'Reader',
      email: `rita-${stamp}@acme.test`,
      kind: 'NON_EMPLOYEE',
      accessLevelId: levelId,
    },
  });
  expect(user.status(), await user.text()).toBe(201);
  const rita = (await json<Schemas['UserWithLink']>(user)).user;

  const permissionsFor = async (ownerId: string) => {
    await page.goto('/api-keys/new');
    await page.getByLabel(/^Name/).fill(`For ${ownerId || 'me'} ${stamp}`);
    if (ownerId) await page.getByLabel('Owner').selectOption(ownerId);
    await page.getByRole('button', { name: 'Generate key' }).click();
    await page.getByRole('checkbox', { name: 'I have stored the API key' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { name: 'Manage permissions' })).toBeVisible();
  };
  const box = (name: string) => page.locator(`input[name="permission"][value="${name}"]`);

  await permissionsFor(rita.id);
  await expect(page.getByText(/never exceeds Rita Reader’s access/)).toBeVisible();
  await expect(box('people:read')).toBeEnabled();
  for (const name of ['people:create', 'people:update', 'people:delete']) await expect(box(name)).toBeDisabled();
  await box('people:read').check();
  await expect(page.getByLabel('First name', { exact: true }).locator('option[value="EDIT"]')).toBeDisabled();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page).not.toHaveURL(/\/api-keys\/new/);

  // The same wizard for the admin's own key offers the admin's rights.
  await permissionsFor('');
  for (const name of ['people:read', 'people:create', 'people:update', 'people:delete'])
    await expect(box(name)).toBeEnabled();
});
