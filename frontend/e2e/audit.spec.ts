import { expect, test, type Page } from '@playwright/test';
import type { Schemas } from './api';

/**
 * Issue 17 item 1 in a real browser against the real server: the audit log reads as sentences with linked names,
 * its filters live in the address (reload and back/forward keep them), and the export link downloads the same
 * filtered range as CSV.
 */
test.describe.configure({ mode: 'serial' });

const shots = '../e2e/target/screenshots';
const stamp = Date.now();
const owner = { email: `audit-owner-${stamp}@acme.test`, password: 'correct horse battery staple' };
const keyName = `Payroll sync ${stamp}`;
let page: Page;
let keyId = '';

/** A call from the signed-in page, with the session's CSRF token, the way the SPA makes it. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      const r = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'X-CSRF-Token': me.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as unknown };
    },
    { method, path, body },
  );
}

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  page = await context.newPage();
});
test.afterAll(async () => page.context().close());

test('signs up, creates a key and revokes it', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Audit Co ${stamp}`);
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Work e-mail').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);
  const created = await call('POST', '/api/v1/api-keys', {
    name: keyName,
    apiType: 'PEOPLE',
    permissionMode: 'SCOPED',
    permissions: [],
  });
  expect(created.status).toBe(201);
  keyId = (created.body as Schemas['ApiKeyWithSecret']).key.id;
  expect((await call('PATCH', `/api/v1/api-keys/${keyId}`, { description: 'Nightly payroll export' })).status).toBe(
    200,
  );
  expect((await call('POST', `/api/v1/api-keys/${keyId}/revoke`)).status).toBe(200);
});

test('reads each event as a sentence, with the actor and the key linked and the changed fields named', async () => {
  await page.goto('/audit');
  const events = page.getByRole('list', { name: 'Audit events' });
  const revoked = events.getByRole('listitem').filter({ hasText: 'revoked the key' });
  await expect(revoked).toContainText(`Ada Lovelace revoked the key “${keyName}” (People API) from 127.0.0.1`);
  await expect(revoked.getByRole('link', { name: `“${keyName}”` })).toHaveAttribute('href', `/api-keys/${keyId}/edit`);
  await expect(revoked.getByRole('link', { name: 'Ada Lovelace' })).toHaveAttribute('href', /\/audit\?actorUserId=/);
  const changed = events.getByRole('listitem').filter({ hasText: 'changed the key' });
  await expect(changed).toContainText('Changed: description');
  await expect(changed).not.toContainText('Nightly payroll export');
  await expect(page.getByText('api-key.revoked')).toHaveCount(0); // no codes
  await page.screenshot({ path: `${shots}/audit-sentences.png`, fullPage: true });

  await revoked.getByRole('link', { name: `“${keyName}”` }).click();
  await expect(page).toHaveURL(new RegExp(`/api-keys/${keyId}/edit$`));
  await page.goBack();
  await expect(page).toHaveURL(/\/audit$/);
});

test('keeps its filters in the address: reload and back/forward restore them', async () => {
  await page.getByLabel('Action').selectOption('api-key.revoked');
  await expect(page).toHaveURL(/action=api-key\.revoked/);
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await page.getByLabel('From').fill(day);
  await page.getByLabel('To').fill(day);
  await expect(page).toHaveURL(new RegExp(`from=${day}.*to=${day}`));
  const events = page.getByRole('list', { name: 'Audit events' });
  await expect(events.getByRole('listitem')).toHaveCount(1);
  await expect(events).toContainText('revoked the key');

  await page.reload();
  await expect(page.getByLabel('Action')).toHaveValue('api-key.revoked');
  await expect(page.getByLabel('From')).toHaveValue(day);
  await expect(events.getByRole('listitem')).toHaveCount(1);

  await page.goBack(); // before "To" was set
  await expect(page.getByLabel('To')).toHaveValue('');
  await page.goBack();
  await page.goBack(); // before any filter
  await expect(page.getByLabel('Action')).toHaveValue('');
  await expect(events.getByRole('listitem').filter({ hasText: 'created the key' })).toHaveCount(1);
  await page.goForward();
  await expect(page.getByLabel('Action')).toHaveValue('api-key.revoked');

  await page.getByLabel('From').fill('2030-01-02');
  await page.getByLabel('To').fill('2030-01-01');
  await expect(page.getByText('The start date is after the end date')).toBeVisible();
});

test('exports the filtered range as CSV through the export link', async () => {
  await page.goto('/audit?action=api-key.revoked');
  const link = page.getByRole('link', { name: 'Export CSV' });
  const href = (await link.getAttribute('href'))!;
  expect(href).toContain('/api/v1/audit-events/export?action=api-key.revoked');
  const download = page.waitForEvent('download');
  await link.click();
  const file = await (await download).path();
  const csv = (await import('node:fs')).readFileSync(file, 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe(
    'occurredAt,action,actorUserId,actor,targetType,targetId,target,apiType,sourceAddress,changedFields,subjectUserId,subject',
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`api-key.revoked,`);
  expect(lines[1]).toContain(`,Ada Lovelace,api-key,${keyId},${keyName},People API,127.0.0.1,`);
});
