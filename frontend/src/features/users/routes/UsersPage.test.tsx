import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schemas } from '@/lib/api-client';
import { fieldTitle } from '@/lib/messages';
import { apiKey, makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => {
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
});

const BOB_ID = '00000000-0000-4000-8000-000000000002';
const EMPLOYEE_ID = '00000000-0000-4000-8000-0000000000f1';
const PAYROLL_ID = '00000000-0000-4000-8000-0000000000f2';
const AUDITOR_ID = '00000000-0000-4000-8000-0000000000f3';
const LINK = {
  url: 'http://localhost/accept-invitation#token=abcdefghijklmnopqrstuvwxyz',
  expiresAt: '2030-01-02T03:04:05Z',
};

const levelOf = (id: string, name: string, extra: Partial<Schemas['AccessLevel']> = {}): Schemas['AccessLevel'] => ({
  id,
  name,
  description: '',
  recordScope: 'ALL',
  fieldRights: {},
  permissions: [],
  editable: true,
  userCount: 0,
  ...extra,
});
const LEVELS = [
  levelOf(EMPLOYEE_ID, 'Employee', { builtin: 'EMPLOYEE', editable: false, recordScope: 'OWN' }),
  levelOf(PAYROLL_ID, 'Payroll integration', { permissions: ['people:read'], fieldRights: { salary: 'VIEW' } }),
  levelOf(AUDITOR_ID, 'Auditor', { permissions: ['audit:read', 'people:delete'] }),
];
const me = makeMe({
  permissions: ['people:read', 'users:read', 'users:manage', 'access-levels:read', 'audit:read'],
  user: { ...makeMe().user, accessLevel: { id: 'x', name: 'Full Admin', builtin: 'FULL_ADMIN' } },
});
const bob: Schemas['User'] = {
  ...makeMe().user,
  id: BOB_ID,
  email: 'bob@acme.test',
  firstName: 'Bob',
  lastName: 'Ray',
  kind: 'NON_EMPLOYEE',
  accessLevel: { id: EMPLOYEE_ID, name: 'Employee', builtin: 'EMPLOYEE' },
};

function handlers() {
  return {
    ...signedInHandlers(me),
    'GET /api/v1/users': () => Response.json({ items: [me.user, bob] }),
    'GET /api/v1/access-levels': () => Response.json({ items: LEVELS }),
  };
}

describe('the users page', () => {
  it('adds a non-employee user with an access level and shows the invitation link once', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...handlers(),
      'POST /api/v1/users': () => Response.json({ user: bob, invitation: LINK }, { status: 201 }),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Add a non-employee user' }));
    const form = screen.getByRole('form', { name: 'Add a non-employee user' });
    await user.type(within(form).getByLabelText(/^First name/), 'Bob');
    await user.type(within(form).getByLabelText(/^Last name/), 'Ray');
    await user.type(within(form).getByLabelText(/^E-mail/), 'bob@acme.test');
    const select = within(form).getByLabelText('Access level');
    await waitFor(() => expect(within(select).getByRole('option', { name: 'Payroll integration' })).toBeEnabled());
    // A level holding people:delete, which this admin lacks, cannot be given.
    expect(within(select).getByRole('option', { name: 'Auditor (beyond your own rights)' })).toBeDisabled();
    await user.selectOptions(select, 'Payroll integration');
    await user.click(within(form).getByRole('button', { name: 'Add user' }));

    const region = await screen.findByRole('region', { name: 'Invitation for Bob Ray' });
    expect(within(region).getByLabelText('Invitation link')).toHaveValue(LINK.url);
    expect(screen.getByText(/will not be shown again/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      firstName: 'Bob',
      lastName: 'Ray',
      email: 'bob@acme.test',
      kind: 'NON_EMPLOYEE',
      accessLevelId: PAYROLL_ID,
    });
  });

  it('shows the server’s problem next to the e-mail', async () => {
    const user = userEvent.setup();
    mockApi({ ...handlers(), 'POST /api/v1/users': () => problem(400, 'Not an e-mail address', '/email') });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Add a non-employee user' }));
    await user.type(screen.getByLabelText(/^First name/), 'B');
    await user.type(screen.getByLabelText(/^Last name/), 'R');
    await user.type(screen.getByLabelText(/^E-mail/), 'b@x');
    // A non-employee user's level is chosen, never defaulted.
    await user.selectOptions(screen.getByLabelText('Access level'), 'Payroll integration');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await waitFor(() => expect(screen.getByLabelText(/^E-mail/)).toHaveAccessibleDescription('Not an e-mail address'));
  });

  it('issues a password-reset link to copy', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...handlers(),
      [`POST /api/v1/users/${BOB_ID}/password-reset`]: () => Response.json(LINK, { status: 201 }),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Reset password of Bob Ray' }));
    const region = await screen.findByRole('region', { name: 'Password reset for Bob Ray' });
    expect(within(region).getByLabelText('Password-reset link')).toHaveValue(LINK.url);
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/password-reset'))).toBe(true);
    // None for oneself.
    expect(screen.queryByRole('button', { name: 'Reset password of Ann Lee' })).toBeNull();
    await user.click(within(region).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'Password reset for Bob Ray' })).toBeNull();
  });

  it('changes a user’s access level with PATCH and shows a refusal next to the choice', async () => {
    const user = userEvent.setup();
    let refuse = true;
    const calls = mockApi({
      ...handlers(),
      [`PATCH /api/v1/users/${BOB_ID}`]: () =>
        refuse
          ? problem(403, 'You cannot assign an access level granting record scope ALL, which you do not hold')
          : Response.json(bob),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Change access level of Bob Ray' }));
    const dialog = screen.getByRole('dialog', { name: 'Access level of Bob Ray' });
    const select = within(dialog).getByLabelText('Access level');
    expect(select).toHaveValue(EMPLOYEE_ID);
    await user.selectOptions(select, 'Payroll integration');
    await user.click(within(dialog).getByRole('button', { name: 'Change access level' }));
    await waitFor(() =>
      expect(select).toHaveAccessibleDescription(/You cannot assign an access level granting record scope ALL/),
    );
    refuse = false;
    await user.click(within(dialog).getByRole('button', { name: 'Change access level' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)!.body).toEqual({ accessLevelId: PAYROLL_ID });
  });

  it('asks before deactivating, naming how many active keys stop, then deactivates', async () => {
    const user = userEvent.setup();
    const admin = makeMe({ ...me, permissions: [...me.permissions, 'keys:manage-all'] });
    const calls = mockApi({
      ...handlers(),
      ...signedInHandlers(admin),
      'GET /api/v1/users': () => Response.json({ items: [admin.user, bob] }),
      'GET /api/v1/access-levels': () => Response.json({ items: LEVELS }),
      'GET /api/v1/organization/api-keys': (req) =>
        req.search?.includes('after=p2')
          ? Response.json({ items: [apiKey(), apiKey()] })
          : Response.json({ items: Array.from({ length: 200 }, () => apiKey()), next: 'p2' }),
      [`POST /api/v1/users/${BOB_ID}/deactivate`]: () => Response.json({ ...bob, status: 'DEACTIVATED' }),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Deactivate Bob Ray' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate Bob Ray?' });
    expect(await within(dialog).findByText('202 active API keys stop working at once.')).toBeInTheDocument();
    const counted = calls.filter((c) => c.path === '/api/v1/organization/api-keys');
    expect(counted[0]!.search).toContain(`ownerUserId=${BOB_ID}`);
    expect(counted[0]!.search).toContain('status=ACTIVE');
    expect(calls.some((c) => c.path.endsWith('/deactivate'))).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.path.endsWith('/deactivate'))).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Deactivate Bob Ray' }));
    await user.click(await screen.findByRole('button', { name: 'Deactivate Bob' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/deactivate'))).toBe(true));
    expect(await screen.findByText('Bob Ray was deactivated.')).toBeInTheDocument();
  });

  it('says every key stops when the admin may not count them', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Deactivate Bob Ray' }));
    expect(screen.getByText('Every API key Bob owns stops working at once.')).toBeInTheDocument();
  });

  it('offers "Resend invitation" to a user who never set a password, and no green Active beside it', async () => {
    const user = userEvent.setup();
    const invited = { ...bob, hasPassword: false };
    mockApi({
      ...handlers(),
      'GET /api/v1/users': () => Response.json({ items: [me.user, invited] }),
      [`POST /api/v1/users/${BOB_ID}/password-reset`]: () => Response.json(LINK, { status: 201 }),
    });
    renderApp('/users');
    const row = (await screen.findByText('Bob Ray')).closest('tr')!;
    expect(within(row).getByText('Invitation pending')).toHaveClass('pill--invited');
    expect(within(row).queryByText('Active')).toBeNull();
    expect(within(row).queryByRole('button', { name: /Reset password/ })).toBeNull();
    await user.click(within(row).getByRole('button', { name: 'Resend invitation to Bob Ray' }));
    const region = await screen.findByRole('region', { name: 'New invitation for Bob Ray' });
    expect(within(region).getByLabelText('Invitation link')).toHaveValue(LINK.url);
  });

  it('gives a non-employee user no level by default: one must be chosen', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Add a non-employee user' }));
    const select = await screen.findByLabelText(/^Access level/);
    await waitFor(() => expect(within(select).getByRole('option', { name: 'Employee' })).toBeInTheDocument());
    expect(select).toBeRequired();
    expect(select).toHaveValue('');
    expect(within(select).queryByRole('option', { name: /default/ })).toBeNull();
  });

  it('breaks e-mail addresses only before @ and dots', async () => {
    mockApi(handlers());
    renderApp('/users');
    const cell = (await screen.findByText('Bob Ray')).closest('tr')!.querySelector('td[data-label="E-mail"]')!;
    expect(cell.textContent).toBe('bob@acme.test');
    expect(cell.querySelectorAll('wbr')).toHaveLength(2);
  });

  it('moves focus to an error summary that links to the field, in words from the contract', async () => {
    const user = userEvent.setup();
    mockApi({
      ...handlers(),
      'POST /api/v1/users': () => problem(400, "Field 'email' is not a valid email", '/email'),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Add an employee' }));
    await user.type(screen.getByLabelText(/^First name/), 'B');
    await user.type(screen.getByLabelText(/^Last name/), 'R');
    await user.type(screen.getByLabelText(/^E-mail/), 'b@x');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    // The contract's title of `email` (or its humanized name until it has one), never "Field 'email'".
    const link = await screen.findByRole('link', { name: `${fieldTitle('email')} must be a valid e-mail address` });
    await waitFor(() => expect(link.closest('[data-error-summary]')).toHaveFocus());
    await user.click(link);
    expect(screen.getByLabelText(/^E-mail/)).toHaveFocus();
  });

  it('keeps a draft through an expired session and restores it after sign-in, never a secret', async () => {
    const user = userEvent.setup();
    let expired = false;
    mockApi({
      ...handlers(),
      'GET /api/v1/me': () => (expired ? problem(401, 'Authentication required') : Response.json(me)),
      'POST /api/v1/users': () => {
        expired = true;
        return problem(401, 'Authentication required');
      },
      'POST /api/v1/session': () => {
        expired = false;
        return Response.json({ status: 'SIGNED_IN', me });
      },
    });
    const { router } = renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Add an employee' }));
    await user.type(screen.getByLabelText(/^First name/), 'Bob');
    await user.type(screen.getByLabelText(/^Last name/), 'Ray');
    await user.type(screen.getByLabelText(/^E-mail/), 'bob@acme.test');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));

    await user.type(await screen.findByLabelText(/^E-mail/), 'ann@acme.test');
    await user.type(screen.getByLabelText(/^Password/), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/users'));
    expect(await screen.findByText(/Restored what you typed before/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^First name/)).toHaveValue('Bob');
    expect(screen.getByLabelText(/^E-mail/)).toHaveValue('bob@acme.test');
    expect(Object.values({ ...window.sessionStorage }).join()).not.toContain('correct horse');
  });

  it('resets a user’s second factors after a confirmation, through the step-up prompt', async () => {
    const user = userEvent.setup();
    let deletes = 0;
    const calls = mockApi({
      ...handlers(),
      [`DELETE /api/v1/users/${BOB_ID}/second-factors`]: () =>
        ++deletes === 1
          ? new Response(
              JSON.stringify({
                type: 'https://keysmith.dev/problems/step-up-required',
                title: 'Fresh authentication required',
                status: 403,
                detail: 'Confirm it is you.',
              }),
              { status: 403, headers: { 'content-type': 'application/problem+json' } },
            )
          : new Response(null, { status: 204 }),
      'POST /api/v1/session/step-up': () => new Response(null, { status: 204 }),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Reset second factors of Bob Ray' }));
    // None for oneself.
    expect(screen.queryByRole('button', { name: 'Reset second factors of Ann Lee' })).toBeNull();
    const dialog = screen.getByRole('dialog', { name: 'Reset the second factors of Bob Ray?' });
    expect(dialog).toHaveTextContent(/must set one up again at their next sign-in/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Reset second factors of Bob Ray' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Reset the second factors of Bob Ray?' })).getByRole('button', {
        name: 'Reset second factors',
      }),
    );
    const stepUp = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await user.type(within(stepUp).getByLabelText(/^Password/), 'secret');
    await user.click(within(stepUp).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText(/Bob Ray has no second factor now/)).toBeInTheDocument();
    expect(
      calls.filter((c) => c.method === 'DELETE' && c.path === `/api/v1/users/${BOB_ID}/second-factors`),
    ).toHaveLength(2);
  });

  it('shows the refusal of a reset, and offers none to a user who never set a password', async () => {
    const user = userEvent.setup();
    const invited = { ...bob, id: '00000000-0000-4000-8000-000000000003', firstName: 'Cy', hasPassword: false };
    mockApi({
      ...handlers(),
      'GET /api/v1/users': () => Response.json({ items: [me.user, bob, invited] }),
      [`DELETE /api/v1/users/${BOB_ID}/second-factors`]: () =>
        problem(403, 'Bob Ray holds permissions you do not hold'),
    });
    renderApp('/users');
    await user.click(await screen.findByRole('button', { name: 'Reset second factors of Bob Ray' }));
    expect(screen.queryByRole('button', { name: 'Reset second factors of Cy Ray' })).toBeNull();
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Reset second factors' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Bob Ray holds permissions you do not hold');
    expect(screen.queryByText(/has no second factor now/)).toBeNull();
  });

  it('offers no reset of second factors without users:manage', async () => {
    mockApi({
      ...handlers(),
      'GET /api/v1/me': () => Response.json({ ...me, permissions: ['users:read'] }),
    });
    renderApp('/users');
    expect(await screen.findByText('Bob Ray')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Reset second factors/ })).toBeNull();
  });
});
