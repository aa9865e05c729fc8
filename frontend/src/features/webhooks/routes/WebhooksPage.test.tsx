import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schemas } from '@/lib/api-client';
import { makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const ADMIN = makeMe({ permissions: [...makeMe().permissions, 'keys:manage-all'] });
const ENDPOINT_ID = '00000000-0000-4000-8000-00000000e001';
const DELIVERY_ID = '00000000-0000-4000-8000-00000000d001';
const ENDPOINT: Schemas['WebhookEndpoint'] = {
  id: ENDPOINT_ID,
  url: 'https://hooks.acme.test/keysmith',
  description: '',
  eventTypes: ['key.expiring'],
  status: 'ACTIVE',
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T10:00:00Z',
};
const queued: Schemas['WebhookDelivery'] = {
  id: DELIVERY_ID,
  endpointId: ENDPOINT_ID,
  eventId: 'evt_test_1',
  eventType: 'webhook.test',
  status: 'PENDING',
  attempts: 0,
  createdAt: '2026-12-03T10:00:00Z',
};

function handlers(extra: Record<string, Parameters<typeof mockApi>[0][string]> = {}) {
  return {
    ...signedInHandlers(ADMIN),
    'GET /api/v1/webhook-endpoints': () => Response.json({ items: [ENDPOINT], eventTypes: ['key.expiring'] }),
    ...extra,
  };
}

const row = async () => within(await screen.findByRole('list', { name: 'Endpoints' })).getByRole('listitem');

describe('the webhooks page', () => {
  it('deletes an endpoint only once the confirmation is accepted', async () => {
    const user = userEvent.setup();
    const calls = mockApi(
      handlers({ [`DELETE /api/v1/webhook-endpoints/${ENDPOINT_ID}`]: () => new Response(null, { status: 204 }) }),
    );
    renderApp('/settings/webhooks');
    await user.click(within(await row()).getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this endpoint?' });
    expect(dialog).toHaveTextContent('https://hooks.acme.test/keysmith');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    await user.click(within(await row()).getByRole('button', { name: 'Delete' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    await user.click(within(await row()).getByRole('button', { name: 'Delete' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Delete this endpoint?' })).getByRole('button', {
        name: 'Delete endpoint',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      `/api/v1/webhook-endpoints/${ENDPOINT_ID}`,
    ]);
  });

  it('shows a refused deletion on the page and closes the confirmation', async () => {
    const user = userEvent.setup();
    mockApi(
      handlers({ [`DELETE /api/v1/webhook-endpoints/${ENDPOINT_ID}`]: () => problem(404, 'No such webhook endpoint') }),
    );
    renderApp('/settings/webhooks');
    await user.click(within(await row()).getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete endpoint' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No such webhook endpoint');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows the test event’s status code and latency once the receiver answered', async () => {
    const user = userEvent.setup();
    let looks = 0;
    const calls = mockApi(
      handlers({
        [`POST /api/v1/webhook-endpoints/${ENDPOINT_ID}/test`]: () => Response.json(queued, { status: 202 }),
        [`GET /api/v1/webhook-endpoints/${ENDPOINT_ID}/deliveries`]: () => {
          looks += 1;
          // the first look comes before the worker's attempt
          return Response.json({
            items:
              looks === 1
                ? [queued]
                : [{ ...queued, status: 'DELIVERED', attempts: 1, lastStatusCode: 204, lastLatencyMillis: 37 }],
          });
        },
      }),
    );
    renderApp('/settings/webhooks');
    await user.click(within(await row()).getByRole('button', { name: 'Send test event' }));
    const result = await screen.findByRole('status', { name: 'Test event result' });
    await waitFor(() => expect(result).toHaveTextContent('Test event delivered: HTTP 204 in 37 ms.'), {
      timeout: 3000,
    });
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      `/api/v1/webhook-endpoints/${ENDPOINT_ID}/test`,
    ]);
  });

  it('shows the test event’s error when the receiver refused it', async () => {
    const user = userEvent.setup();
    mockApi(
      handlers({
        [`POST /api/v1/webhook-endpoints/${ENDPOINT_ID}/test`]: () => Response.json(queued, { status: 202 }),
        [`GET /api/v1/webhook-endpoints/${ENDPOINT_ID}/deliveries`]: () =>
          Response.json({
            items: [
              {
                ...queued,
                attempts: 1,
                lastStatusCode: 500,
                lastLatencyMillis: 12,
                lastError: 'HTTP 500: boom',
                nextAttemptAt: '2026-12-03T10:01:00Z',
              },
            ],
          }),
      }),
    );
    renderApp('/settings/webhooks');
    await user.click(within(await row()).getByRole('button', { name: 'Send test event' }));
    const result = await screen.findByRole('status', { name: 'Test event result' });
    await waitFor(() =>
      expect(result).toHaveTextContent('Test event failed: HTTP 500 in 12 ms: HTTP 500: boom. It will be retried.'),
    );
  });

  it('shows why a test event could not be queued', async () => {
    const user = userEvent.setup();
    mockApi(
      handlers({
        [`POST /api/v1/webhook-endpoints/${ENDPOINT_ID}/test`]: () => problem(404, 'No such webhook endpoint'),
      }),
    );
    renderApp('/settings/webhooks');
    await user.click(within(await row()).getByRole('button', { name: 'Send test event' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No such webhook endpoint');
    expect(screen.queryByRole('status', { name: 'Test event result' })).not.toBeInTheDocument();
  });
});
