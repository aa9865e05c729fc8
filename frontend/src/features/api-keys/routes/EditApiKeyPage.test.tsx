import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALL_RIGHTS, apiKey, makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const KEY_ID = '00000000-0000-4000-8000-0000000000d1';
const PATH = `/api/v1/api-keys/${KEY_ID}`;
const OTHER = { id: '00000000-0000-4000-8000-000000000002', name: 'Bob Ray' };
const OTHER_LEVEL = '00000000-0000-4000-8000-0000000000a2';

function handlers(
  key = apiKey({ permissions: ['people:read', 'people:create'], fieldRights: { firstName: 'VIEW' } }),
  me = makeMe(),
) {
  return {
    ...signedInHandlers(me),
    [`GET ${PATH}`]: () => Response.json(key),
    [`PATCH ${PATH}`]: (req: { body: unknown }) => Response.json({ ...key, ...(req.body as object) }),
  };
}

describe('editing a key after creation', () => {
  it('offers only what the owner may grant and saves the chosen permissions with PATCH', async () => {
    const user = userEvent.setup();
    const me = makeMe({ permissions: ['people:read', 'people:create', 'keys:create-own', 'audit:read'] });
    const calls = mockApi(handlers(undefined, me));
    renderApp(`/api-keys/${KEY_ID}/edit`);

    const read = await screen.findByRole('checkbox', { name: /View people records/ });
    expect(read).toBeChecked();
    expect(screen.getByRole('checkbox', { name: /Add people records/ })).toBeChecked();
    const del = screen.getByRole('checkbox', { name: /Delete people records/ });
    expect(del).toBeDisabled();
    expect(del).toHaveAccessibleDescription('Beyond your own access');
    expect(screen.getByRole('checkbox', { name: /View the audit log/ })).toBeDisabled();
    expect(screen.getByLabelText('First name')).toHaveValue('VIEW');
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeDisabled();

    await user.click(screen.getByRole('checkbox', { name: /Add people records/ }));
    await user.selectOptions(screen.getByLabelText('Last name'), 'VIEW');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText(/Changes saved/)).toBeInTheDocument();
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.path).toBe(PATH);
    expect(patch.body).toEqual({ permissions: ['people:read'], fieldRights: { firstName: 'VIEW', lastName: 'VIEW' } });
    expect(patch.headers.get('X-CSRF-Token')).toBe('csrf-123');
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeDisabled();
  });

  it('limits another user’s key to that owner’s access level, not the editor’s', async () => {
    const user = userEvent.setup();
    const key = apiKey({ owner: OTHER, permissions: ['people:read'] });
    const calls = mockApi({
      ...handlers(key),
      [`GET /api/v1/users/${OTHER.id}`]: () =>
        Response.json({
          id: OTHER.id,
          email: 'bob@acme.test',
          firstName: 'Bob',
          lastName: 'Ray',
          kind: 'EMPLOYEE',
          status: 'ACTIVE',
          hasPassword: true,
          createdAt: '2025-01-01T00:00:00Z',
          accessLevel: { id: OTHER_LEVEL, name: 'Readers' },
        }),
      [`GET /api/v1/access-levels/${OTHER_LEVEL}`]: () =>
        Response.json({
          id: OTHER_LEVEL,
          name: 'Readers',
          description: '',
          recordScope: 'ALL',
          permissions: ['people:read'],
          fieldRights: { ...ALL_RIGHTS, salary: 'NONE' },
          editable: true,
          userCount: 1,
        }),
    });
    renderApp(`/api-keys/${KEY_ID}/edit`);
    // The editor (Ann) may create people; the owner (Bob) may not, so the key may not either.
    const create = await screen.findByRole('checkbox', { name: /Add people records/ });
    expect(create).toBeDisabled();
    expect(screen.getByText(/up to what the key’s owner, Bob Ray, holds/)).toBeInTheDocument();
    expect(screen.getByRole('option', { name: 'View (beyond your rights)' })).toBeDisabled();

    await user.clear(screen.getByLabelText(/^Name/));
    await user.type(screen.getByLabelText(/^Name/), 'Renamed');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ name: 'Renamed' });
  });

  it('shows a field-level problem next to the IP allowlist and a grant refusal above the buttons', async () => {
    const user = userEvent.setup();
    let answer = problem(400, "Field 'ipAllowlist.0' has the wrong format", 'ipAllowlist.0');
    mockApi({ ...handlers(), [`PATCH ${PATH}`]: () => answer });
    renderApp(`/api-keys/${KEY_ID}/edit`);
    const ips = await screen.findByLabelText(/IP allowlist/);
    await user.type(ips, 'nope');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(ips).toHaveAttribute('aria-invalid', 'true'));
    expect(ips).toHaveAccessibleDescription(expect.stringContaining('IP allowlist must be in the expected format'));

    answer = problem(403, 'A key cannot hold people:create: its owner does not');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    // a form-level refusal is the error summary's title; the summary is the alert that takes focus
    const refusal = await screen.findByText('A key cannot hold people:create: its owner does not');
    expect(refusal.closest('[data-error-summary]')).toHaveAttribute('role', 'alert');
  });

  it('switches to inheriting the owner’s access without sending permissions', async () => {
    const user = userEvent.setup();
    const calls = mockApi(handlers());
    renderApp(`/api-keys/${KEY_ID}/edit`);
    await user.click(await screen.findByRole('radio', { name: /Inherit the owner’s access/ }));
    expect(screen.queryByRole('checkbox', { name: /View people records/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ permissionMode: 'INHERIT' });
  });

  it('keeps an unsaved change as a draft, and discards it when the person chooses to leave', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    const { router } = renderApp(`/api-keys/${KEY_ID}/edit`);
    await user.click(await screen.findByRole('radio', { name: /Inherit the owner’s access/ }));
    expect(window.sessionStorage.length).toBe(1);
    await router.navigate('/api-keys');
    const dialog = await screen.findByRole('dialog', { name: 'Leave this page?' });
    await user.click(within(dialog).getByRole('button', { name: 'Leave' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/api-keys'));
    expect(window.sessionStorage.length).toBe(0);
  });

  it('shows a revoked key read-only', async () => {
    mockApi(handlers(apiKey({ status: 'REVOKED', permissions: ['people:read'] })));
    renderApp(`/api-keys/${KEY_ID}/edit`);
    expect(await screen.findByText(/This key is revoked/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Key details', level: 1 })).toBeInTheDocument();
    expect(screen.getByLabelText(/^Name/)).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: /View people records/ })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
  });

  it('says when an administrator disabled the key or set its limits, in the editor and in the own-keys list', async () => {
    const key = apiKey({
      status: 'DISABLED',
      adminRestrictions: ['DISABLED', 'IP_ALLOWLIST'],
      ipAllowlist: ['10.0.0.0/8'],
    });
    mockApi({ ...handlers(key), 'GET /api/v1/api-keys': () => Response.json({ items: [key] }) });
    renderApp(`/api-keys/${KEY_ID}/edit`);
    const notes = await screen.findByRole('list', { name: 'Restrictions' });
    expect(notes).toHaveTextContent('Disabled by an administrator: only an administrator can enable it.');
    expect(notes).toHaveTextContent('An administrator set its IP allowlist');
  });

  it('lists a key an administrator disabled as such', async () => {
    const key = apiKey({ status: 'DISABLED', adminRestrictions: ['DISABLED'] });
    mockApi({ ...handlers(key), 'GET /api/v1/api-keys': () => Response.json({ items: [key] }) });
    renderApp('/api-keys');
    expect(await screen.findByText('Disabled by an administrator')).toBeInTheDocument();
  });

  it('is linked from the own-keys list with Edit and Usage', async () => {
    mockApi({ ...handlers(), 'GET /api/v1/api-keys': () => Response.json({ items: [apiKey()] }) });
    renderApp('/api-keys');
    expect(await screen.findByRole('link', { name: 'Edit Payroll sync' })).toHaveAttribute(
      'href',
      `/api-keys/${KEY_ID}/edit`,
    );
    expect(screen.getByRole('link', { name: 'Usage of Payroll sync' })).toHaveAttribute(
      'href',
      `/api-keys/${KEY_ID}/usage`,
    );
  });

  it('is linked from API Management, a revoked key as View', async () => {
    mockApi({
      ...handlers(),
      'GET /api/v1/users': () => Response.json({ items: [] }),
      'GET /api/v1/organization/api-keys': () => Response.json({ items: [apiKey({ status: 'REVOKED' })] }),
    });
    renderApp('/settings/api-management');
    expect(await screen.findByRole('link', { name: 'View Payroll sync' })).toHaveAttribute(
      'href',
      `/api-keys/${KEY_ID}/edit`,
    );
    expect(screen.getByRole('link', { name: 'Usage of Payroll sync' })).toHaveAttribute(
      'href',
      `/api-keys/${KEY_ID}/usage`,
    );
  });
});
