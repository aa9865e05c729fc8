import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Policies, partners and key editing in a real browser against the real server: set the organization's key policies
 * (an invalid CIDR shows its error on its row), see the create-key wizard enforce them, add a partner and find it in
 * the wizard, then take a permission away from a key after creation and see the key lose that right.
 */
test.describe.configure({ mode: 'serial' });

const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `policy-owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
const partnerName = `Payroll Partner ${stamp}`;
const keyName = `Partner sync ${stamp}`;
let page: Page;
let secret = '';

const isoDay = (daysFromNow: number) => new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);

async function callPeople(key: string) {
  const base = test.info().project.use.baseURL!;
  return fetch(`${base}/api/v1/people`, {
    headers: { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
  });
}

async function noHorizontalOverflow() {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

test('signs up a new organization', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Policy Co ${stamp}`);
  await page.getByLabel('First name').fill('Ann');
  await page.getByLabel('Last name').fill('Lee');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
});

test('sets the policies; an invalid CIDR shows the server’s error on its row', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies' }).click();
  await expect(page.getByRole('heading', { name: 'Organization policies', level: 1 })).toBeVisible();
  await expect(page.getByText('Any IP address may be used.')).toBeVisible();

  await page.getByLabel('Maximum key lifetime (days)').fill('30');
  await page.getByRole('checkbox', { name: 'Every key must have an expiry date' }).check();
  await page.getByRole('button', { name: '+ Add IP range' }).click();
  await expect(page.getByLabel('IP range 1', { exact: true })).toBeFocused();
  await page.getByLabel('IP range 1', { exact: true }).fill('127.0.0.0/8');
  await page.getByRole('button', { name: '+ Add IP range' }).click();
  await page.getByLabel('IP range 2', { exact: true }).fill('10.0.0.0/33');
  await page.getByLabel('Ceiling: requests per minute').fill('1000');
  await page.getByLabel('Default requests per minute').fill('5000');
  await expect(page.getByText(/is above the ceiling/)).toBeVisible();
  await page.getByLabel('Default requests per minute').fill('600');
  await expect(page.getByText(/is above the ceiling/)).toBeHidden();

  await page.getByRole('button', { name: 'Save policies' }).click();
  const bad = page.getByLabel('IP range 2', { exact: true });
  await expect(bad).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('listitem').filter({ has: bad })).toContainText('10.0.0.0/33');
  await expect(page.getByLabel('IP range 1', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: `${shots}/policies-cidr-error.png`, fullPage: true });

  await page.getByRole('button', { name: 'Remove IP range 2' }).click();
  await page.getByRole('button', { name: 'Save policies' }).click();
  await expect(page.getByText(/Policies saved/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save policies' })).toBeDisabled();
  await page.screenshot({ path: `${shots}/policies.png`, fullPage: true });

  // What the server kept, as read back by a fresh load.
  const saved = await json<Schemas['OrganizationPolicies']>(page.request.get('/api/v1/organization/policies'));
  expect(saved).toMatchObject({
    maxKeyLifetimeDays: 30,
    expiryRequired: true,
    allowedIpRanges: ['127.0.0.0/8'],
    rateLimitCeilingPerMinute: 1000,
  });
  await page.reload();
  await expect(page.getByLabel('Maximum key lifetime (days)')).toHaveValue('30');
  await expect(page.getByRole('checkbox', { name: 'Every key must have an expiry date' })).toBeChecked();
  await expect(page.getByLabel('IP range 1', { exact: true })).toHaveValue('127.0.0.0/8');
});

test('the create-key wizard enforces the expiry policy', async () => {
  await page.goto('/api-keys/new');
  const expires = page.getByLabel(/Expires on/);
  await expect(page.getByText('Your organization allows at most 30 days.')).toBeVisible();
  await expect(expires).toHaveAttribute('max', isoDay(30));
  await page.getByLabel(/^Name/).fill(`No expiry ${stamp}`);
  await page.getByLabel(/IP allowlist/).fill('127.0.0.1/32');
  await expect(expires).toHaveAttribute('required', '');
  await page.getByRole('button', { name: 'Generate key' }).click();
  // The browser holds the form back (the field is required) and no key is made.
  expect(await expires.evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true);
  await expect(page.getByLabel('API key', { exact: true })).toHaveCount(0);

  // The server enforces it too, naming the field.
  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  const refused = await page.request.post('/api/v1/api-keys', {
    headers: { 'X-CSRF-Token': me.csrfToken },
    data: { name: `No expiry ${stamp}`, apiType: 'PEOPLE', permissionMode: 'INHERIT', ipAllowlist: ['127.0.0.1/32'] },
  });
  expect(refused.status()).toBe(400);
  expect(await json<Schemas['Problem']>(refused)).toMatchObject({
    field: 'expiresAt',
    detail: 'The organization requires every key to have an expiry',
  });
});

test('adds an organization partner, which the wizard then offers', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' }).click();
  await expect(page.getByRole('heading', { name: 'Partners', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '+ Add partner' }).click();
  const form = page.getByRole('form', { name: 'Add partner' });
  await form.getByLabel(/^Name/).fill(partnerName);
  await form.getByLabel('Website').fill('https://payroll.example');
  await form.getByLabel('Contact').fill('integrations@payroll.example');
  await form.getByRole('checkbox', { name: /View people records/ }).check();
  await form.getByRole('checkbox', { name: /Add people records/ }).check();
  await form.getByLabel('First name', { exact: true }).selectOption('VIEW');
  await form.getByLabel('Last name', { exact: true }).selectOption('VIEW');
  await form.getByRole('button', { name: 'Add partner' }).click();

  await expect(page.getByText(`“${partnerName}” was added`)).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(partnerName) });
  await expect(row).toContainText('Your organization');
  await expect(row).toContainText('View people records');
  await expect(row).toContainText('Add people records');
  await page.getByLabel('Search').fill('payroll partner');
  await expect(row).toBeVisible();
  await page.screenshot({ path: `${shots}/partners.png`, fullPage: true });

  await page.goto('/api-keys/new');
  await expect(page.getByLabel('Partner').getByRole('option', { name: partnerName })).toHaveCount(1);
});

test('creates a key for the partner within the policy', async () => {
  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  const created = await page.request.post('/api/v1/people', {
    headers: { 'X-CSRF-Token': me.csrfToken },
    data: { firstName: 'Grace', lastName: 'Hopper', workEmail: `grace-${stamp}@acme.test`, jobTitle: 'Admiral' },
  });
  expect(created.status()).toBe(201);

  await page.getByLabel(/^Name/).fill(keyName);
  await page.getByLabel('API type').selectOption({ label: 'People API' });
  await page.getByLabel('Partner').selectOption({ label: partnerName });
  await page.getByLabel(/Expires on/).fill(isoDay(10));
  await page.getByLabel(/IP allowlist/).fill('127.0.0.1/32');
  await page.getByRole('radio', { name: /Choose permissions/ }).check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const field = page.getByLabel('API key', { exact: true });
  await expect(field).toHaveValue(/^ksk_/);
  secret = await field.inputValue();
  await page.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();

  // The partner's usual permissions arrive pre-selected.
  await expect(page.getByRole('checkbox', { name: /View people records/ })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /Add people records/ })).toBeChecked();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  await expect.poll(async () => (await callPeople(secret)).status).toBe(200);
});

test('removes people:read from the key after creation, and the key loses that right', async () => {
  const row = page.getByRole('row', { name: new RegExp(keyName) });
  await expect(row.getByRole('link', { name: `Usage of ${keyName}` })).toHaveAttribute(
    'href',
    /\/api-keys\/[0-9a-f-]+\/usage$/,
  );
  await row.getByRole('link', { name: `Edit ${keyName}` }).click();
  await expect(page.getByRole('heading', { name: 'Edit key', level: 1 })).toBeVisible();
  await expect(page.getByLabel(/^Name/)).toHaveValue(keyName);
  await expect(page.getByLabel(/IP allowlist/)).toHaveValue('127.0.0.1/32');
  await expect(page.getByLabel(/Expires on/)).toHaveValue(isoDay(10));

  // Beyond the 30-day policy: the server says so next to the expiry.
  await page.getByLabel(/Expires on/).fill(isoDay(60));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByLabel(/Expires on/)).toHaveAttribute('aria-invalid', 'true');
  // the message sits at the field (and again, as a link to it, in the error summary)
  await expect(page.locator('.field__error').filter({ hasText: /Keys may live at most 30 days/ })).toBeVisible();
  await page.getByLabel(/Expires on/).fill(isoDay(10));

  const read = page.getByRole('checkbox', { name: /View people records/ });
  await expect(read).toBeChecked();
  await read.uncheck();
  await expect(page.getByText('Unsaved changes')).toBeVisible();
  await page.screenshot({ path: `${shots}/edit-key.png`, fullPage: true });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(/Changes saved/)).toBeVisible();

  await expect.poll(async () => (await callPeople(secret)).status).toBe(403);
  await page.reload();
  await expect(page.getByRole('checkbox', { name: /View people records/ })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: /Add people records/ })).toBeChecked();
});

test('the three pages fit a 375px phone', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [path, heading, file] of [
    ['/settings/policies', 'Organization policies', 'policies-375'],
    ['/partners', 'Partners', 'partners-375'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    await expect(page.getByText(/Loading/)).toHaveCount(0);
    expect(await noHorizontalOverflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${shots}/${file}.png`, fullPage: true });
  }
  await page.getByRole('button', { name: '+ Add partner' }).click();
  const form = page.getByRole('form', { name: 'Add partner' });
  expect(await noHorizontalOverflow()).toBeLessThanOrEqual(0);
  await form.screenshot({ path: `${shots}/partners-add-375.png` });
  await form.getByRole('button', { name: 'Cancel' }).click();
  await page.goto('/api-keys');
  await page.getByRole('link', { name: `Edit ${keyName}` }).click();
  await expect(page.getByRole('heading', { name: 'Edit key', level: 1 })).toBeVisible();
  expect(await noHorizontalOverflow()).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${shots}/edit-key-375.png`, fullPage: true });
  await page
    .getByRole('group', { name: 'People records', exact: true })
    .screenshot({ path: `${shots}/edit-key-375-people.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
});

// Last: from here on the owner, who has no second factor, is led through enrolment.
test('requires a second factor of everyone through the sign-in form, and the API reads it back', async () => {
  await page.goto('/settings/policies');
  const form = page.getByRole('form', { name: 'Sign-in policy' });
  // The form shows what the server holds (a new organization's default).
  const before = await json<Schemas['SignInPolicy']>(page.request.get('/api/v1/organization/sign-in-policy'));
  expect(before.secondFactorRequiredFor).not.toBe('EVERYONE');
  const label = { NOBODY: /^Nobody/, ADMINS: /^Administrators/, EVERYONE: /^Everyone/ }[before.secondFactorRequiredFor];
  await expect(form.getByRole('radio', { name: label })).toBeChecked();
  await expect(form.getByLabel('Step-up window (minutes)')).toHaveValue(String(before.stepUpMinutes));
  await form.getByRole('radio', { name: /^Everyone/ }).check();
  await form.getByLabel('Step-up window (minutes)').fill('15');
  await form.getByRole('button', { name: 'Save sign-in policy' }).click();
  await expect(form.getByText(/Sign-in policy saved/)).toBeVisible();
  await form.screenshot({ path: `${shots}/policies-sign-in.png` });

  // The policy now covers the owner, who has no factor yet: the API says so to the session.
  const factors = await json<Schemas['SecondFactors']>(page.request.get('/api/v1/me/second-factors'));
  expect(factors.required).toBe(true);
  const me = await json<Schemas['Me']>(page.request.get('/api/v1/me'));
  expect(me.authentication?.secondFactorEnrolmentRequired).toBe(true);
  expect(me.authentication?.stepUpMinutes).toBe(15);
  const refused = await page.request.get('/api/v1/organization/sign-in-policy');
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as Schemas['Problem']).type).toContain('second-factor-enrolment-required');
});
