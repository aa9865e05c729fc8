import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';

/**
 * Issue 19 item 5 in a real browser: an organization adds a webhook endpoint (a real HTTP receiver on loopback, which
 * the suite's server allows: KEYSMITH_WEBHOOKS_ALLOW_HTTP/PRIVATE), keeps its signing secret shown once, sends a test
 * event that arrives signed as Standard Webhooks says, reads the delivery log (status, response code, latency),
 * replays a delivery (same webhook-id, so receivers de-duplicate) and disables the endpoint.
 */
test.describe.configure({ mode: 'serial' });

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const stamp = Date.now();
let page: Page;
let receiver: Server;
let receiverUrl = '';
const received: Received[] = [];
let secret = '';

test.beforeAll(async ({ browser }) => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/keysmith`;
  page = await (await browser.newContext()).newPage();
});

test.afterAll(async () => {
  await page?.context().close();
  await new Promise((resolve) => receiver.close(resolve));
});

/** Standard Webhooks: v1,base64(HMAC-SHA256(base64-decoded secret after whsec_, id.timestamp.body)). */
const expectedSignature = (r: Received) => {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`;
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
};

test('adds an endpoint and keeps its signing secret shown once', async () => {
  await page.goto('/sign-up');
  await page.getByLabel('Organization name').fill(`Hooks Co ${stamp}`);
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Work e-mail').fill(`hooks-owner-${stamp}@acme.test`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  await page.goto('/settings/webhooks');
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  await expect(page.getByText('No endpoints yet')).toBeVisible();
  const form = page.getByRole('form', { name: 'Add an endpoint' });
  await form.getByLabel('Endpoint URL').fill(receiverUrl);
  await form.getByRole('checkbox', { name: 'api-key.created' }).check();
  await form.getByRole('button', { name: 'Add endpoint' }).click();

  const field = page.getByLabel('Signing secret', { exact: true });
  await expect(field).toHaveValue(/^whsec_/);
  secret = await field.inputValue();
  const endpoints = page.getByRole('list', { name: 'Endpoints' });
  await expect(endpoints.getByText(receiverUrl)).toBeVisible();
  await expect(endpoints.getByText(/Active/)).toBeVisible();
});

test('a test event arrives signed, and the delivery log shows it', async () => {
  await page.getByRole('button', { name: 'Send test event' }).click();
  await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  const first = received[0];
  expect(first).toBeDefined();
  if (!first) return;
  expect(first.headers['webhook-id']).toBeTruthy();
  expect(Number(first.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 300);
  expect(String(first.headers['webhook-signature']).split(' ')).toContain(expectedSignature(first));
  expect(first.body).not.toContain(secret);
  await expect(page.getByRole('status', { name: 'Test event result' })).toContainText(
    /Test event delivered: HTTP 204 in \d+ ms/,
    { timeout: 15_000 },
  );

  await page.getByRole('button', { name: 'Delivery log' }).click();
  const log = page.getByRole('table', { name: 'Deliveries' });
  await expect(log.getByRole('row')).toHaveCount(2, { timeout: 15_000 });
  await expect(log.getByRole('cell', { name: '204' })).toBeVisible({ timeout: 15_000 });
  await expect(log.getByRole('cell', { name: /^\d+ ms$/ })).toBeVisible();
});

test('a replay sends the same event again, with the same webhook-id', async () => {
  const before = received.length;
  await page.getByRole('table', { name: 'Deliveries' }).getByRole('button', { name: 'Replay' }).first().click();
  await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(before);
  const replayed = received[received.length - 1];
  expect(replayed?.headers['webhook-id']).toBe(received[0]?.headers['webhook-id']);
  if (replayed) expect(String(replayed.headers['webhook-signature']).split(' ')).toContain(expectedSignature(replayed));
});

test('a disabled endpoint says so', async () => {
  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('list', { name: 'Endpoints' }).getByText(/Disabled/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enable' })).toBeVisible();
});
