import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { filtersFromSearch, filtersToQuery } from '@/features/api-management/api/org-keys';
import { apiKey, makeMe, mockApi, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const A = apiKey({ id: '00000000-0000-4000-8000-0000000000e1', name: 'Alpha key' });
const B = apiKey({ id: '00000000-0000-4000-8000-0000000000e2', name: 'Beta key' });
const USER = {
  id: '00000000-0000-4000-8000-000000000002',
  email: 'inte@acme.test',
  firstName: 'Inte',
  lastName: 'Gration',
  kind: 'NON_EMPLOYEE',
  accessLevel: { id: '00000000-0000-4000-8000-0000000000f1', name: 'Readers' },
  status: 'ACTIVE',
  hasPassword: false,
  createdAt: '2025-01-01T00:00:00Z',
};

describe('API Management tools', () => {
  it('keeps only what the server accepts from the address', () => {
    const f = filtersFromSearch(new URLSearchParams('sort=secret&order=sideways&status=GONE&ownerUserId=x&q=pay'));
    expect(f).toMatchObject({ sort: 'createdAt', order: 'asc', status: '', ownerUserId: '', q: 'pay' });
    expect(filtersToQuery(f)).toEqual({ q: 'pay' });
  });

  it('sends the sort and filters of the address, and a header click writes the new order into it', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': () => Response.json({ items: [] }),
      'GET /api/v1/organization/api-keys': () => Response.json({ items: [A, B] }),
    });
    const { router } = renderApp('/settings/api-management?status=DISABLED&sort=name&order=desc');
    expect(await screen.findByText('Alpha key')).toBeInTheDocument();
    const first = calls.find((c) => c.path === '/api/v1/organization/api-keys')!;
    const sent = new URLSearchParams(first.search);
    expect([sent.get('sort'), sent.get('order'), sent.get('status')]).toEqual(['name', 'desc', 'DISABLED']);
    expect(screen.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'descending');

    await user.click(screen.getByRole('button', { name: /^Last used/ }));
    await waitFor(() => expect(router.state.location.search).toContain('sort=lastUsedAt'));
    expect(router.state.location.search).toContain('status=DISABLED');
    expect(router.state.location.search).not.toContain('order=desc');
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
      'href',
      '/api/v1/organization/api-keys/export?status=DISABLED&sort=lastUsedAt',
    );
  });

  it('revokes selected keys in one bulk request after typing their number, and lists the key that failed', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': () => Response.json({ items: [] }),
      'GET /api/v1/organization/api-keys': () => Response.json({ items: [A, B] }),
      'POST /api/v1/organization/api-keys/bulk': () =>
        Response.json({
          items: [
            { keyId: A.id, ok: true, key: { ...A, status: 'REVOKED' } },
            {
              keyId: B.id,
              ok: false,
              problem: { type: 'x', title: 'Conflict', status: 409, detail: 'A revoked key cannot be changed' },
            },
          ],
        }),
    });
    renderApp('/settings/api-management');
    await user.click(await screen.findByRole('checkbox', { name: 'Select Alpha key' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select Beta key' }));
    await user.click(screen.getByRole('button', { name: 'Revoke selected' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke 2 keys?' });
    const confirm = within(dialog).getByRole('button', { name: 'Revoke 2 keys' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/Type the number of keys/), '2');
    await user.click(confirm);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('1 key revoked. 1 could not be changed (still selected):');
    expect(alert).toHaveTextContent('“Beta key”: A revoked key cannot be changed');
    const bulk = calls.filter((c) => c.path === '/api/v1/organization/api-keys/bulk');
    expect(bulk).toHaveLength(1);
    expect(bulk[0]!.body).toEqual({ action: 'REVOKE', keyIds: [A.id, B.id] });
    expect(screen.getByRole('checkbox', { name: 'Select Beta key' })).toBeChecked();
  });

  it('offers transfer for an active key, pre-selects nobody and shows the chosen person’s access level', async () => {
    const user = userEvent.setup();
    const me = makeMe();
    mockApi({
      ...signedInHandlers(makeMe({ permissions: [...me.permissions, 'access-levels:read'] })),
      'GET /api/v1/users': () => Response.json({ items: [USER] }),
      'GET /api/v1/organization/api-keys': () =>
        Response.json({ items: [{ ...A, permissionMode: 'SCOPED', permissions: ['people:read', 'audit:read'] }] }),
      'GET /api/v1/access-levels': () =>
        Response.json({
          items: [
            {
              id: USER.accessLevel.id,
              name: 'Readers',
              description: '',
              recordScope: 'ALL',
              fieldRights: {},
              permissions: ['people:read'],
              editable: true,
              userCount: 1,
            },
          ],
        }),
    });
    renderApp('/settings/api-management');
    await user.click(await screen.findByRole('button', { name: 'Transfer Alpha key' }));
    const dialog = screen.getByRole('dialog', { name: 'Transfer “Alpha key”' });
    const select = within(dialog).getByLabelText(/New owner/);
    expect(select).toHaveValue('');
    expect(within(dialog).getByRole('button', { name: 'Transfer' })).toBeDisabled();
    expect(within(dialog).getByRole('option', { name: /Inte Gration/ })).toHaveTextContent('Readers');
    await user.selectOptions(select, USER.id);
    expect(within(dialog).getByTestId('transfer-effect')).toHaveTextContent(
      'keeps 1 of its 2 permissions; it loses audit:read',
    );
  });
});
