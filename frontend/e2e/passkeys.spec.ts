import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { OwnServer } from './support/own-server';

/**
 * Issue 21 item 1 in a real browser: Chromium's virtual authenticator (DevTools protocol WebAuthn domain) stands in
 * for a phone or a laptop's screen lock. A passkey is added on the security page, then it signs in without a password
 * (user verification), and as the second factor after a password. WebAuthn needs a host name as relying-party id, so
 * this spec runs a Keysmith of its own whose KEYSMITH_PUBLIC_URL is http://localhost:<port>.
 */
test.describe.configure({ mode: 'serial' });

const port = Number(process.env.KEYSMITH_E2E_PORT ?? 18480) + 7;
const server = new OwnServer(port, Number(process.env.KEYSMITH_E2E_MANAGEMENT_PORT ?? 19480) + 7);
const stamp = Date.now();
const owner = { email: `passkey-owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
let page: Page;
let cdp: CDPSession;
let authenticatorId = '';

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  await server.start();
  const context = await browser.newContext({ baseURL: server.publicUrl });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  authenticatorId = added.authenticatorId;
});

test.afterAll(async () => {
  await page?.context().close();
  await server.stop();
});

const signOut = async () => {
  await page.locator('.profile__button').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
};

test('adds a passkey on the security page', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Passkey Co ${stamp}`);
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Hopper');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  await page.locator('.profile__button').click();
  await page.getByRole('link', { name: 'Sign-in security' }).click();
  await expect(page).toHaveURL(/\/security$/);
  await page.getByLabel('Passkey name').fill('Work laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('list', { name: 'Your passkeys' }).getByText('Work laptop')).toBeVisible();

  // the authenticator holds one discoverable credential for this relying party
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.isResidentCredential).toBe(true);
  expect(credentials[0]?.rpId).toBe('localhost');
});

test('signs in with the passkey alone, without a password', async () => {
  await signOut();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.locator('.profile__button')).toBeVisible();
  // the session says how it was authenticated
  const me: unknown = await page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'include' })).text());
  expect(me).toContain('hwk');
});

test('after the password, the passkey is the second factor', async () => {
  await signOut();
  await page.getByLabel('E-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText('Confirm with your passkey.')).toBeVisible();
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.locator('.profile__button')).toBeVisible();
});
