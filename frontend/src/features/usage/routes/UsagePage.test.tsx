import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiKey, makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';
import type { Usage } from '@/features/usage/api/usage';

beforeEach(() => {
  // recharts sizes its chart with ResizeObserver, which jsdom lacks.
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});
afterEach(() => vi.unstubAllGlobals());

const KEY_ID = '00000000-0000-4000-8000-0000000000d1';

function usageFor(query: URLSearchParams, extra: Partial<Usage> = {}): Usage {
  const from = query.get('from')!;
  const step = query.get('granularity') === 'day' ? 86_400_000 : 3_600_000;
  const second = new Date(Date.parse(from) + step).toISOString();
  return {
    from,
    to: query.get('to')!,
    granularity: query.get('granularity') as Usage['granularity'],
    buckets: [{ start: second, allowed: 40, denied: 3, rateLimited: 5, invalid: 2 }],
    operations: [
      { operation: 'listPeople', count: 45 },
      { operation: 'getPerson', count: 5 },
    ],
    ...extra,
  };
}

describe('organization usage', () => {
  it('shows totals, a chart with a text alternative and its table, operations and top keys linking to each key', async () => {
    const seen: URLSearchParams[] = [];
    const last = () => seen[seen.length - 1]!;
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/usage': () =>
        Response.json(usageFor(last(), { topKeys: [{ keyId: KEY_ID, name: 'Payroll sync', count: 50 }] })),
    });
    // mockApi records paths only: keep each usage call's query too.
    const mocked = globalThis.fetch;
    vi.stubGlobal('fetch', (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === '/api/v1/usage') seen.push(url.searchParams);
      return mocked(req);
    });

    renderApp('/usage');
    expect(await screen.findByRole('heading', { name: 'Usage', level: 1 })).toBeInTheDocument();
    const list = await screen.findByLabelText('Totals');
    const total = (label: string) => within(list).getByText(label).closest('div')!.querySelector('dd');
    expect(total('Requests')).toHaveTextContent('50');
    expect(total('Allowed')).toHaveTextContent('40 80%');
    expect(total('Rate-limited')).toHaveTextContent('5 10%');

    expect(
      screen.getByRole('img', {
        name: /Stacked bar chart of the organization’s requests per hour, last 24 hours: 40 allowed, 3 denied, 5 rate-limited, 2 invalid/,
      }),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: /requests per hour/ });
    expect(within(table).getAllByRole('row')).toHaveLength(25);
    const toggle = screen.getByRole('button', { name: 'Show data table' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide data table' })).toHaveAttribute('aria-expanded', 'true');

    const ops = screen.getByRole('table', { name: 'Requests per operation' });
    expect(within(ops).getAllByRole('row')[1]).toHaveTextContent('listPeople4590%');
    const top = screen.getByRole('table', { name: /busiest keys/ });
    expect(within(top).getByRole('link', { name: 'Payroll sync' })).toHaveAttribute(
      'href',
      `/api-keys/${KEY_ID}/usage`,
    );

    expect(seen[0]!.get('granularity')).toBe('hour');
    await userEvent.click(screen.getByRole('radio', { name: /Last 7 days/ }));
    await waitFor(() => expect(last().get('granularity')).toBe('day'));
    const from = Date.parse(last().get('from')!);
    const to = Date.parse(last().get('to')!);
    expect((to - from) / 86_400_000).toBe(7);
    expect(await screen.findByRole('table', { name: /requests per day, last 7 days/ })).toBeInTheDocument();
  }, 20_000); // jsdom renders the chart and two tables slowly on a busy machine

  it('explains what to do when the range has no requests', async () => {
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/usage': () =>
        Response.json({
          from: '2025-01-01T00:00:00Z',
          to: '2025-01-02T00:00:00Z',
          granularity: 'hour',
          buckets: [],
          operations: [],
          topKeys: [],
        }),
    });
    renderApp('/usage');
    expect(await screen.findByText('No requests in this range')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /API docs/ })).toHaveAttribute('href', '/docs/');
    expect(screen.queryByRole('img', { name: /Stacked bar chart/ })).toBeNull();
  });

  it('is not offered without keys:manage-all', async () => {
    const calls = mockApi(signedInHandlers(makeMe({ permissions: ['keys:create-own'] })));
    renderApp('/usage');
    expect(await screen.findByText('Not available')).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/v1/usage')).toBe(false);
  });

  it('shows the problem when the server refuses, with a way to retry', async () => {
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/usage': () => problem(400, 'The range may span at most 400 days', 'from'),
    });
    renderApp('/usage');
    expect(await screen.findByRole('alert')).toHaveTextContent('The range may span at most 400 days');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('one key’s usage', () => {
  it('shows the key’s name and status with its usage, and no top keys', async () => {
    const calls = mockApi({
      ...signedInHandlers(),
      [`GET /api/v1/api-keys/${KEY_ID}`]: () => Response.json(apiKey({ status: 'DISABLED' })),
      [`GET /api/v1/api-keys/${KEY_ID}/usage`]: () =>
        Response.json({
          from: '2025-01-01T00:00:00Z',
          to: '2025-01-02T00:00:00Z',
          granularity: 'hour',
          buckets: [{ start: '2025-01-01T05:00:00Z', allowed: 7, denied: 0, rateLimited: 0, invalid: 0 }],
          operations: [{ operation: 'listPeople', count: 7 }],
        }),
    });
    renderApp(`/api-keys/${KEY_ID}/usage?range=30d`);
    expect(await screen.findByRole('heading', { name: 'Usage of “Payroll sync”', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('Disabled')).toBeInTheDocument();
    expect(await screen.findByRole('img', { name: /this key’s requests/ })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: /Last 30 days/ })).toBeChecked();
    expect(screen.queryByRole('table', { name: /busiest keys/ })).toBeNull();
    expect(screen.getByRole('link', { name: /Organization usage/ })).toHaveAttribute('href', '/usage');
    expect(calls.some((c) => c.path === `/api/v1/api-keys/${KEY_ID}/usage`)).toBe(true);
  });

  it('says so when the key is unknown', async () => {
    mockApi({
      ...signedInHandlers(),
      [`GET /api/v1/api-keys/${KEY_ID}`]: () => problem(404, 'No such API key'),
      [`GET /api/v1/api-keys/${KEY_ID}/usage`]: () => problem(404, 'No such API key'),
    });
    renderApp(`/api-keys/${KEY_ID}/usage`);
    expect(await screen.findByRole('alert')).toHaveTextContent('No such API key');
  });

  it('tells the owner how to make the first call when the key was never used', async () => {
    mockApi({
      ...signedInHandlers(makeMe({ permissions: ['keys:create-own'] })),
      [`GET /api/v1/api-keys/${KEY_ID}`]: () => Response.json(apiKey()),
      [`GET /api/v1/api-keys/${KEY_ID}/usage`]: () =>
        Response.json({
          from: '2025-01-01T00:00:00Z',
          to: '2025-01-02T00:00:00Z',
          granularity: 'hour',
          buckets: [],
          operations: [],
        }),
    });
    renderApp(`/api-keys/${KEY_ID}/usage`);
    expect(await screen.findByText(/Calls made with this key appear here within about a minute/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /API Keys/ })).toHaveAttribute('href', '/api-keys');
  });
});
