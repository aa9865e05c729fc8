import { expect, test, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { json, type Schemas } from './api';

/**
 * Governance (issue 20) in a real browser against the real server: the organization's policy holds AUDIT keys for
 * approval; a second administrator finds them in the approval queue with exactly the rights they request, approves
 * one (it starts working) and denies another with a reason (it is revoked); then edits the approved key's metadata on
 * its page, which gateways receive from verify.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now();
const password = 'correct horse battery staple';
let ownerContext: BrowserContext;
let adminContext: BrowserContext;
let page: Page;
let ownerCsrf = '';
let approved: Schemas['ApiKeyWithSecret'];
let denied: Schemas['ApiKeyWithSecret'];

async function callAudit(key: string) {
  const base = test.info().project.use.baseURL!;
  return fetch(`${base}/api/v1/audit-events`, { headers: { Authorization: `Bearer ${key}` } });
}

async function createKey(request: APIRequestContext, name: string) {
  const res = await request.post('/api/v1/api-keys', {
    headers: { 'X-CSRF-Token': ownerCsrf },
    data: { name, apiType: 'AUDIT', permissionMode: 'INHERIT' },
  });
  expect(res.status(), await res.text()).toBe(201);
  return json<Schemas['ApiKeyWithSecret']>(res);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  ownerContext = await browser.newContext();
  const owner = ownerContext.request;
  const signUp = await owner.post('/api/v1/signup', {
    data: {
      organizationName: `Approvals ${stamp}`,
      firstName: 'Olive',
      lastName: 'Owner',
      email: `approvals-owner-${stamp}@acme.test`,
      password,
    },
  });
  expect(signUp.status(), await signUp.text()).toBe(201);
  ownerCsrf = (await json<Schemas['Me']>(owner.get('/api/v1/me'))).csrfToken;
  const headers = { 'X-CSRF-Token': ownerCsrf };
  const policies = await owner.put('/api/v1/organization/policies', {
    headers,
    data: { expiryRequired: false, allowedIpRanges: [], approvalApiTypes: ['AUDIT'] },
  });
  expect(policies.status(), await policies.text()).toBe(200);
  const levels = await json<Schemas['AccessLevelList']>(owner.get('/api/v1/access-levels'));
  const fullAdmin = levels.items.find((l) => l.builtin === 'FULL_ADMIN')!;
  const user = await owner.post('/api/v1/users', {
    headers,
    data: {
      email: `approvals-admin-${stamp}@acme.test`,
      firstName: 'Ada',
      lastName: 'Admin',
      kind: 'EMPLOYEE',
      accessLevelId: fullAdmin.id,
    },
  });
  expect(user.status(), await user.text()).toBe(201);
  const link = (await json<Schemas['UserWithLink']>(user)).invitation.url;
  const token = new URL(link).hash.replace('#token=', '');
  adminContext = await browser.newContext();
  const accepted = await adminContext.request.post('/api/v1/invitations/accept', { data: { token, password } });
  expect(accepted.status(), await accepted.text()).toBe(200);
  page = await adminContext.newPage();

  approved = await createKey(owner, `Audit export ${stamp}`);
  denied = await createKey(owner, `Audit mirror ${stamp}`);
  expect(approved.key.status).toBe('PENDING_APPROVAL');
});

test.afterAll(async () => {
  await adminContext?.close();
  await ownerContext?.close();
});

test('the queue shows each pending key with exactly the rights it requests; approving it makes it work', async () => {
  expect((await callAudit(approved.secret)).status).toBe(403);
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  await expect(page.getByRole('heading', { name: 'Approvals', level: 1 })).toBeVisible();
  const card = page.getByRole('listitem', { name: `Approval of ${approved.key.name}` });
  await expect(card).toContainText('Olive Owner');
  await expect(card).toContainText('its API type needs approval');
  await expect(card.getByRole('list', { name: 'Permissions requested' })).toHaveText('audit:read');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status')).toContainText(`Approved “${approved.key.name}”`);
  await expect(card).toBeHidden();
  expect((await callAudit(approved.secret)).status).toBe(200);
});

test('denying asks for a reason, revokes the key and removes it from the queue', async () => {
  const card = page.getByRole('listitem', { name: `Approval of ${denied.key.name}` });
  await card.getByRole('button', { name: 'Deny' }).click();
  const dialog = page.getByRole('dialog', { name: `Deny “${denied.key.name}”` });
  await dialog.getByRole('button', { name: 'Deny and revoke' }).click();
  await expect(dialog.getByText('Say why')).toBeVisible();
  await dialog.getByLabel('Reason').fill('Mirrors go through the security team');
  await dialog.getByRole('button', { name: 'Deny and revoke' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toContainText('it is revoked');
  await expect(page.getByText('Nothing awaits approval')).toBeVisible();
  expect((await callAudit(denied.secret)).status).toBe(401);
  const key = await json<Schemas['ApiKey']>(ownerContext.request.get(`/api/v1/api-keys/${denied.key.id}`));
  expect(key.status).toBe('REVOKED');
  expect(key.approval?.denialReason).toBe('Mirrors go through the security team');
});

test('the owner sees their own pending request but cannot decide on it', async () => {
  const own = await createKey(ownerContext.request, `Own request ${stamp}`);
  const ownerPage = await ownerContext.newPage();
  await ownerPage.goto('/settings/approvals');
  const card = ownerPage.getByRole('listitem', { name: `Approval of ${own.key.name}` });
  await expect(card).toContainText('another administrator decides');
  await expect(card.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await ownerPage.goto(`/api-keys/${own.key.id}/edit`);
  await expect(ownerPage.getByText('awaits a credential administrator’s approval')).toBeVisible();
  await ownerPage.close();
});

test('metadata is edited on the key’s page, refused when not an object, and reaches verify', async () => {
  await page.goto(`/api-keys/${approved.key.id}/edit`);
  const form = page.getByRole('form', { name: 'Metadata' });
  await form.getByLabel('Metadata (JSON)').fill('["not", "an object"]');
  await form.getByRole('button', { name: 'Save metadata' }).click();
  await expect(form.getByText('Metadata is a JSON object')).toBeVisible();
  await form.getByLabel('Metadata (JSON)').fill('{"tier": "gold", "region": "eu"}');
  await form.getByRole('button', { name: 'Save metadata' }).click();
  await expect(form.getByRole('status')).toHaveText('Metadata saved.');
  const key = await json<Schemas['ApiKey']>(ownerContext.request.get(`/api/v1/api-keys/${approved.key.id}`));
  expect(key.metadata).toEqual({ tier: 'gold', region: 'eu' });
});
