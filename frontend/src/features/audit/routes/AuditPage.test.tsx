import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const ANN = '00000000-0000-4000-8000-000000000001';
const KEY = '00000000-0000-4000-8000-00000000000c';

const users = () =>
  Response.json({
    items: [
      {
        id: ANN,
        email: 'ann@acme.test',
        firstName: 'Ann',
        lastName: 'Lee',
        kind: 'EMPLOYEE',
        status: 'ACTIVE',
        hasPassword: true,
        createdAt: '2025-01-01T00:00:00Z',
        accessLevel: { id: ANN, name: 'Account Owner' },
      },
    ],
  });

const created = {
  id: '1',
  occurredAt: '2025-01-01T00:00:00Z',
  action: 'api-key.created',
  actorUserId: ANN,
  actorName: 'Ann Lee',
  targetType: 'api-key',
  targetId: KEY,
  targetName: 'Payroll sync',
  apiType: 'PEOPLE',
  apiTypeTitle: 'People API',
  sourceAddress: '203.0.113.7',
  changedFields: [],
};

describe('the audit log', () => {
  it('filters by action and by who acted, and says when nothing matches', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': users,
      'GET /api/v1/audit-events': (req) =>
        Response.json({ items: req.search?.includes('action=api-key.revoked') ? [] : [created] }),
    });
    renderApp('/audit');
    expect(
      await screen.findByText(
        (_, el) =>
          el?.className === 'audit-sentence' &&
          el.textContent === 'Ann Lee created the key “Payroll sync” (People API) from 203.0.113.7',
      ),
    ).toBeInTheDocument();

    await user.selectOptions(await screen.findByLabelText('Who'), ANN);
    await user.selectOptions(screen.getByLabelText('Action'), 'api-key.revoked');
    expect(await screen.findByText('No events match these filters')).toBeInTheDocument();
    const last = calls.filter((c) => c.path === '/api/v1/audit-events').at(-1)!;
    expect(new URLSearchParams(last.search).get('action')).toBe('api-key.revoked');
    expect(new URLSearchParams(last.search).get('actorUserId')).toBe(ANN);
  });

  it('links the actor to what they did and the key to its page, and lists changed field names', async () => {
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': users,
      'GET /api/v1/audit-events': () =>
        Response.json({
          items: [{ ...created, id: '2', action: 'api-key.updated', changedFields: ['description', 'ipAllowlist'] }],
        }),
    });
    renderApp('/audit');
    const list = await screen.findByRole('list', { name: 'Audit events' });
    const item = within(list).getAllByRole('listitem')[0]!;
    expect(within(item).getByRole('link', { name: 'Ann Lee' })).toHaveAttribute('href', `/audit?actorUserId=${ANN}`);
    expect(within(item).getByRole('link', { name: '“Payroll sync”' })).toHaveAttribute('href', `/api-keys/${KEY}/edit`);
    expect(item).toHaveTextContent('Changed: description, ip allowlist');
  });

  it('reads its filters from the address, sends them as a date range, and exports the same range', async () => {
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': users,
      'GET /api/v1/audit-events': () => Response.json({ items: [created] }),
    });
    renderApp(`/audit?action=api-key.revoked&targetType=api-key&targetId=${KEY}&from=2025-01-01&to=2025-01-31`);
    expect(await screen.findByLabelText('Action')).toHaveValue('api-key.revoked');
    expect(screen.getByLabelText('From')).toHaveValue('2025-01-01');
    expect(screen.getByLabelText('To')).toHaveValue('2025-01-31');
    await screen.findByText(/Only events about/);
    const sent = new URLSearchParams(calls.filter((c) => c.path === '/api/v1/audit-events').at(-1)!.search);
    expect(sent.get('targetId')).toBe(KEY);
    expect(new Date(sent.get('from')!).getTime()).toBe(new Date('2025-01-01T00:00:00').getTime());
    // "to" is the whole last day: the server's bound is exclusive
    expect(new Date(sent.get('to')!).getTime()).toBe(new Date('2025-02-01T00:00:00').getTime());
    const href = screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')!;
    const exported = new URL(href, 'http://x');
    expect(exported.pathname).toBe('/api/v1/audit-events/export');
    expect(exported.searchParams.get('action')).toBe('api-key.revoked');
    expect(exported.searchParams.get('from')).toBe(sent.get('from'));
    expect(exported.searchParams.get('to')).toBe(sent.get('to'));
  });

  it('says at once when the start date is after the end date, without asking the server', async () => {
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': users,
      'GET /api/v1/audit-events': () => Response.json({ items: [created] }),
    });
    renderApp('/audit?from=2025-02-01&to=2025-01-01');
    expect(await screen.findByText('The start date is after the end date')).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/api/v1/audit-events')).toHaveLength(0);
  });
});
