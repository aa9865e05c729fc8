import { expect, test, type Page } from '@playwright/test';
import { TOTP, Secret } from 'otpauth';

/**
 * Issue 21 item 2 in a real browser against the real server: setting up an authenticator app from the profile's
 * security page (QR code and secret; a code confirms it), recovery codes shown once, then a sign-in that asks for a
 * code generated here as an authenticator app would, and one with a recovery code.
 */
test.describe.configure({ mode: 'serial' });

const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `totp-owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
let page: Page;
let totp: TOTP;
let recoveryCode = '';

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

/** The app's code for a step after the given time (each code is accepted once, so each use takes a new step). */
const codeAt = (offsetSteps: number) => totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });

test('sets up an authenticator app with a code, and keeps the recovery codes shown once', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Totp Co ${stamp}`);
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  await page.locator('.profile__button').click();
  await page.getByRole('link', { name: 'Sign-in security' }).click();
  await expect(page).toHaveURL(/\/security$/);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });

  // a wrong code is refused, naming the field
  await page.getByLabel('Code from the app').fill(codeAt(0) === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('The code is not right')).toBeVisible();

  await page.getByLabel('Code from the app').fill(codeAt(0));
  await page.getByRole('button', { name: 'Confirm' }).click();
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  recoveryCode = ((await codes.first().textContent()) ?? '').trim();
  await page.screenshot({ path: `${shots}/totp-recovery-codes.png`, fullPage: true });
  await expect(page.getByRole('button', { name: 'Done' })).toBeDisabled();
  await page.getByLabel('I have stored my recovery codes').check();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByText('On. Signing in asks for a code from your app. 10 recovery codes left.')).toBeVisible();
});

test('signing in asks for a code from the app after the password', async () => {
  await page.locator('.profile__button').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('E-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();
  await page.screenshot({ path: `${shots}/totp-sign-in.png`, fullPage: true });
  await page.getByLabel('Authentication code').fill(codeAt(1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.locator('.profile__button')).toBeVisible();
});

test('a recovery code signs in once instead of a code', async () => {
  await page.locator('.profile__button').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('E-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recoveryCode);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('.profile__button')).toBeVisible();
  await page.goto('/audit');
  await expect(
    page
      .getByRole('list', { name: 'Audit events' })
      .getByRole('listitem')
      .filter({ hasText: 'signed in with password and authenticator code' })
      .first(),
  ).toBeVisible();
  await expect(page.getByText('Ada Lovelace signed in with a recovery code').first()).toBeVisible();
});
