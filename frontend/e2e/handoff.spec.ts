import { expect, test } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Issue 18: a key handed to a partner through a one-time link the server cannot read. The creator makes the link in
 * the wizard; a link previewer (a plain HTTP fetch of the page, and of its state) uses nothing up; the partner, in a
 * browser context of their own with no account, reveals and copies the key, which works; a second reveal is refused
 * and shows nothing; the creator sees on the key's page that it was revealed.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();

test('create, link, preview, reveal once in a new context, copy, second reveal refused', async ({ browser }) => {
  const creator = await browser.newContext();
  const page = await creator.newPage();
  const signedUp = await page.request.post('/api/v1/signup', {
    data: {
      organizationName: `Handoff ${stamp}`,
      firstName: 'Hal',
      lastName: 'Sender',
      email: `handoff-${stamp}@acme.test`,
      password: 'correct horse battery staple',
    },
  });
  expect(signedUp.status()).toBe(201);

  await page.goto('/api-keys/new');
  await page.getByLabel(/^Name/).fill(`Partner feed ${stamp}`);
  await page.getByLabel('API type').selectOption({ label: 'People API' });
  await page.getByRole('radio', { name: /Inherit my access/ }).check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const secret = await page.getByLabel('API key', { exact: true }).inputValue();
  expect(secret).toMatch(/^ksk_/);

  await page.getByRole('button', { name: 'Make a one-time link' }).click();
  const linkField = page.getByLabel('One-time link');
  await expect(linkField).toHaveValue(/\/handoff\/[0-9a-f-]{36}#[A-Za-z0-9_-]{43}$/);
  const link = await linkField.inputValue();
  expect(link).not.toContain(secret);
  const path = new URL(link).pathname;
  const handoffId = path.split('/').pop()!;

  await page.getByRole('checkbox', { name: 'I have stored the API key' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  // A chat's link previewer: a plain fetch of the page and of the link's state, as often as it likes.
  const base = test.info().project.use.baseURL!;
  for (let i = 0; i < 2; i++) {
    const preview = await fetch(`${base}${path}`);
    expect(preview.status).toBe(200);
    expect(await preview.text()).not.toContain(secret);
    const state = await json<Schemas['HandoffState']>(fetch(`${base}/api/v1/handoffs/${handoffId}`));
    expect(state.status).toBe('PENDING');
  }

  // The partner: a browser context of their own, no account, no cookies.
  const partner = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const partnerPage = await partner.newPage();
  await partnerPage.goto(link);
  await expect(partnerPage.getByRole('heading', { name: 'A key for you' })).toBeVisible();
  await expect(partnerPage.getByLabel('API key')).toHaveCount(0); // nothing revealed before the click
  await partnerPage.getByRole('button', { name: 'Reveal the key' }).click();
  const revealed = partnerPage.getByLabel('API key', { exact: true });
  await expect(revealed).toHaveValue(secret);
  expect(partnerPage.url()).not.toContain('#'); // the fragment leaves the history
  await partnerPage.getByRole('button', { name: 'Copy' }).click();
  await expect(partnerPage.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await partnerPage.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  const works = await fetch(`${base}/api/v1/people`, {
    headers: { Authorization: `Bearer ${await partnerPage.evaluate(() => navigator.clipboard.readText())}` },
  });
  expect(works.status).toBe(200);

  // A second reveal, in yet another context: refused, and nothing shown.
  const late = await browser.newContext();
  const latePage = await late.newPage();
  await latePage.goto(link);
  await expect(latePage.getByRole('heading', { name: 'This link was used already' })).toBeVisible();
  await expect(latePage.getByRole('button', { name: 'Reveal the key' })).toHaveCount(0);
  await expect(latePage.getByLabel('API key')).toHaveCount(0);
  // and straight at the API, with the right proof, too: 409, no ciphertext
  const again = await late.request.post(`/api/v1/handoffs/${handoffId}/reveal`, {
    data: { proof: 'A'.repeat(43) },
  });
  expect(again.status()).toBe(409);

  // A damaged link (its fragment cut) says so and reveals nothing.
  // (a page of its own: a change of the fragment alone is no new page load)
  const damaged = await late.newPage();
  await damaged.goto(link.split('#')[0] + '#' + 'x'.repeat(10));
  await expect(damaged.getByRole('heading', { name: 'This link is incomplete or damaged' })).toBeVisible();

  // The creator sees that it was revealed.
  const keys = await json<Schemas['ApiKeyPage']>(page.request.get('/api/v1/api-keys'));
  await page.goto(`/api-keys/${keys.items[0]!.id}/edit`);
  await expect(page.getByRole('region', { name: 'Hand-off links' })).toContainText('Revealed on');

  await late.close();
  await partner.close();
  await creator.close();
});
