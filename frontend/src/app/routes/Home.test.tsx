import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiKey, makeMe, mockApi, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

const admin = makeMe({
  permissions: ['keys:manage-all', 'keys:create-own', 'users:read', 'users:manage', 'policies:manage'],
});
const other = { ...admin.user, id: '00000000-0000-4000-8000-0000000000e9', firstName: 'Bob' };
const NO_POLICIES = { expiryRequired: false, allowedIpRanges: [] };

function handlers(state: { keys: boolean; gateway: boolean; users: boolean; policies: boolean }) {
  return {
    ...signedInHandlers(admin),
    'GET /api/v1/organization/api-keys': (req: { search?: string }) =>
      Response.json({
        items: (req.search?.includes('apiType=VERIFICATION') ? state.gateway : state.keys) ? [apiKey()] : [],
      }),
    'GET /api/v1/users': () => Response.json({ items: state.users ? [admin.user, other] : [admin.user] }),
    'GET /api/v1/organization/policies': () =>
      Response.json(state.policies ? { ...NO_POLICIES, maxKeyLifetimeDays: 90 } : NO_POLICIES),
  };
}

describe('the home page’s first-run checklist', () => {
  it('shows each step done or not from the organization’s data, with links to what is left', async () => {
    mockApi(handlers({ keys: true, gateway: false, users: false, policies: true }));
    renderApp('/');
    const list = await screen.findByRole('region', { name: 'Get set up' });
    expect(within(list).getByText('2 of 4 done')).toBeInTheDocument();
    expect(within(list).getByText(/Create an API key/)).toHaveTextContent('Create an API key (done)');
    expect(within(list).getByRole('link', { name: 'Invite a user' })).toHaveAttribute('href', '/users');
    expect(within(list).getByText(/Set policies/)).toHaveTextContent('(done)');
    expect(within(list).getByRole('link', { name: 'Connect a gateway' })).toBeInTheDocument();
  });

  it('is gone once every step is done', async () => {
    const calls = mockApi(handlers({ keys: true, gateway: true, users: true, policies: true }));
    renderApp('/');
    await screen.findByRole('heading', { name: /Welcome/ });
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/organization/policies')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('region', { name: 'Get set up' })).toBeNull();
  });

  it('stays hidden once dismissed', async () => {
    const user = userEvent.setup();
    mockApi(handlers({ keys: false, gateway: false, users: false, policies: false }));
    const first = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Hide this checklist' }));
    expect(screen.queryByRole('region', { name: 'Get set up' })).toBeNull();
    first.unmount();
    renderApp('/');
    await screen.findByRole('heading', { name: /Welcome/ });
    expect(screen.queryByRole('region', { name: 'Get set up' })).toBeNull();
  });

  it('leaves out steps the person may not take', async () => {
    mockApi({ ...signedInHandlers(makeMe({ permissions: ['keys:create-own'] })) });
    renderApp('/');
    const list = await screen.findByRole('region', { name: 'Get set up' });
    expect(within(list).getByText('0 of 2 done')).toBeInTheDocument();
    expect(within(list).queryByText('Invite a user')).toBeNull();
    expect(within(list).queryByText('Set policies')).toBeNull();
  });
});
