import { expect, test, type Page } from '@playwright/test';
import { OidcProvider } from './support/oidc-provider';

/**
 * Single sign-on in a real browser against the real server and a real OpenID Connect provider on loopback: the owner
 * configures SSO on its settings page, then a new person of the allowed domain signs in with "Sign in with SSO",
 * signs in at the provider, lands back in Keysmith signed in (created just in time), and the audit log says SSO.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
const domain = `sso-${stamp}.test`;
const owner = { email: `owner@${domain}`, password: 'correct horse battery staple' };
let idp: OidcProvider;
let page: Page;

test.beforeAll(async ({ browser }) => {
  const base = test.info().project.use.baseURL!;
  idp = await OidcProvider.start(`${base}/sso/callback`);
  page = await (await browser.newContext()).newPage();
});
test.afterAll(async () => {
  await page.context().close();
  await idp.stop();
});

test('the owner configures single sign-on', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`SSO Co ${stamp}`);
  await page.getByLabel('First name').fill('Olga');
  await page.getByLabel('Last name').fill('Owner');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Single sign-on' }).click();
  await expect(page.getByRole('heading', { name: 'Single sign-on', level: 1 })).toBeVisible();
  await expect(page.getByText('/sso/callback')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Enable single sign-on' }).check();
  await page.getByLabel('Issuer URL').fill(idp.issuer);
  await page.getByLabel('Client ID').fill(idp.clientId);
  await page.getByLabel('Client secret').fill(idp.clientSecret);
  await page.getByLabel('Allowed e-mail domains').fill(domain);
  await page.getByRole('checkbox', { name: /just-in-time/ }).check();
  await page.getByRole('button', { name: 'Save single sign-on' }).click();
  await expect(page.getByText('Single sign-on settings saved.')).toBeVisible();
  await expect(page.getByText('A secret is stored (sealed). Leave empty to keep it.')).toBeVisible();
});

test('a person of the domain signs in through the identity provider', async () => {
  await page.context().clearCookies();
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  await page.getByLabel('Work e-mail for SSO').fill(`sam@${domain}`);
  await page.getByRole('button', { name: 'Continue with SSO' }).click();

  await expect(page.getByRole('heading', { name: 'Test identity provider' })).toBeVisible();
  expect(page.url()).toContain(idp.issuer);
  await page.getByLabel('IdP e-mail').fill(`sam@${domain}`);
  await page.getByLabel('IdP first name').fill('Sam');
  await page.getByRole('button', { name: 'Sign in to the IdP' }).click();

  await expect(page.getByRole('heading', { name: 'Welcome, Sam' })).toBeVisible();
  const me = await page.request.get('/api/v1/me');
  expect(me.status()).toBe(200);
  expect(((await me.json()) as { user: { email: string } }).user.email).toBe(`sam@${domain}`);
});

test('the audit log records the sign-in as single sign-on', async ({ browser }) => {
  // the owner in a browser of their own (the person's SSO session stays where it is)
  const context = await browser.newContext();
  const ownerPage = await context.newPage();
  await ownerPage.goto('/sign-in');
  await ownerPage.getByLabel('E-mail').fill(owner.email);
  await ownerPage.getByLabel('Password').fill(owner.password);
  await ownerPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(ownerPage).not.toHaveURL(/sign-in/);
  await ownerPage.goto('/audit');
  const events = ownerPage.getByRole('list', { name: 'Audit events' });
  await expect(events.getByText('signed in with single sign-on').first()).toBeVisible();
  await expect(events.getByText('Single sign-on created the user').first()).toBeVisible();
  await context.close();
});
