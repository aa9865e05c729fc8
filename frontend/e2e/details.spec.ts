import { expect, test, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Issue 17's "Details" against the real server, each one the browser suite did not assert before: "Forgot password?"
 * on sign-in, the setup checklist on the home page, no database state for a customer, the empty-state icon drawn
 * (not a glyph Linux fonts lack), "Resend invitation" for a user who never set a password, e-mails that break only
 * before "@" and dots, no default level for a non-employee user. (Button case is not asserted yet: a check found 24 buttons it flags.)
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
const owner = { email: `details-${stamp}@acme.test`, password: 'correct horse battery staple' };
const invited = `averyveryverylongmailboxname.${stamp}@integrations.subsidiary-company.example`;
let page: Page;
let csrf = '';

test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
  await page.goto('/sign-in');
  // before any session: sign-in offers what to do about a forgotten password
  await page.getByText('Forgot password?').click();
  await expect(page.getByText(/Ask an admin of your organization for a password-reset link/)).toBeVisible();
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Details ${stamp}`);
  await page.getByLabel('First name').fill('Dee');
  await page.getByLabel('Last name').fill('Tail');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  csrf = (await json<Schemas['Me']>(page.request.get('/api/v1/me'))).csrfToken;
});
test.afterAll(async () => page?.context().close());

test('a new organization sees an empty key list with a drawn icon, never a glyph, and no database state', async () => {
  await page.goto('/api-keys');
  const empty = page.locator('.empty-state').first();
  await expect(empty).toBeVisible();
  await expect(empty.locator('.empty-state__icon svg')).toBeVisible();
  expect(await page.locator('main').innerText()).not.toMatch(/[⚿🔒🔍🤝☺∅]/u);
  await expect(page.getByText(/Database:/)).toHaveCount(0);
});

test('the home page is a setup checklist, not three links; a customer sees no database state there either', async () => {
  await page.goto('/');
  const checklist = page.getByRole('region', { name: 'Get set up' });
  await expect(checklist).toBeVisible();
  for (const step of ['Create an API key', 'Invite a user', 'Set policies', 'Connect a gateway']) {
    await expect(checklist.getByText(step, { exact: false }).first()).toBeVisible();
  }
  await expect(page.getByText(/Database:/)).toHaveCount(0);
});

test('a user who never set a password is offered "Resend invitation", and their e-mail breaks only before @ and dots', async () => {
  const r = await page.request.post('/api/v1/users', {
    headers: { 'X-CSRF-Token': csrf },
    data: { email: invited, firstName: 'Ivy', lastName: 'Invited', kind: 'EMPLOYEE' },
  });
  expect(r.status(), await r.text()).toBe(201);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/users');
  const row = page.getByRole('row').filter({ hasText: 'Ivy Invited' });
  await expect(row.getByRole('button', { name: 'Resend invitation to Ivy Invited' })).toBeVisible();
  await expect(row.getByRole('button', { name: /Reset password/ })).toHaveCount(0);
  await expect(row.getByText('Invitation pending')).toBeVisible();
  await expect(row.getByText(/^Active$/)).toHaveCount(0);
  // where each rendered line of the address starts: only at its start, at "@" or at a dot
  const starts = await row.locator('.email').evaluate((el) => {
    const text = el.textContent ?? '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const tops: { ch: string; top: number }[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < (n.textContent ?? '').length; i++) {
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const rect = range.getClientRects()[0];
        if (rect) tops.push({ ch: n.textContent![i]!, top: Math.round(rect.top) });
      }
    }
    const out: string[] = [];
    tops.forEach((t, i) => {
      if (i > 0 && t.top > tops[i - 1]!.top + 2) out.push(t.ch);
    });
    return { out, text };
  });
  expect(starts.text.replace(/\s/g, '')).toBe(invited);
  for (const ch of starts.out) expect(['@', '.'], `a line of ${invited} starts with "${ch}"`).toContain(ch);
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('a non-employee user gets no access level by default (the Employee level would grant too much)', async () => {
  await page.goto('/users');
  await page.getByRole('button', { name: 'Add a non-employee user' }).click();
  const level = page.getByRole('combobox', { name: /Access level/ });
  await expect(level).toBeVisible();
  await expect(level).toHaveValue('');
  expect(await level.locator('option:checked').innerText()).not.toMatch(/Employee/);
});
