import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

describe('the shell', () => {
  it('offers navigation by permission, the profile menu and landmarks with accessible names', async () => {
    const calls = mockApi(signedInHandlers());
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    for (const name of ['People', 'Users', 'Audit log', 'API Management']) {
      expect(within(nav).getByRole('link', { name })).toHaveAttribute('href');
    }
    expect(within(nav).getByRole('list', { name: 'Settings' })).toBeInTheDocument();
    expect(screen.getByRole('main')).toBeInTheDocument();
    const profile = screen.getByRole('region', { name: 'Profile' });
    await userEvent.click(within(profile).getByRole('button', { name: /Ann Lee/ }));
    expect(within(profile).getByRole('link', { name: 'API Keys' })).toHaveAttribute('href', '/api-keys');
    // The database's state is the operators' concern: a healthy server shows customers nothing about it.
    await waitFor(() => expect(calls.some((c) => c.path === '/health/ready')).toBe(true));
    expect(screen.queryByText(/Database/)).toBeNull();
  });

  it('hides API Management without keys:manage-all', async () => {
    mockApi(signedInHandlers(makeMe({ permissions: ['keys:create-own'] })));
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'API Management' })).toBeNull();
  });

  it('sends a signed-out visitor of a deep link to sign in, with a gentle message and the way back', async () => {
    mockApi({ 'GET /api/v1/me': () => problem(401, 'Authentication required') });
    const { router } = renderApp('/settings/api-management');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText(/Your session ended/)).toBeInTheDocument();
    expect(router.state.location.search).toBe('?next=%2Fsettings%2Fapi-management');
  });

  it('goes to sign in when any call answers 401 mid-session', async () => {
    mockApi({ ...signedInHandlers(), 'GET /api/v1/api-keys': () => problem(401, 'Authentication required') });
    const { router } = renderApp('/api-keys');
    expect(await screen.findByText(/Your session ended/)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
  });

  it('signs in with an organization choice and returns to the page asked for', async () => {
    let signedIn = false;
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/me': () => (signedIn ? Response.json(makeMe()) : problem(401, 'no')),
      'POST /api/v1/session': (req) => {
        const body = req.body as { organizationId?: string };
        if (!body.organizationId) {
          return Response.json({
            status: 'CHOOSE_ORGANIZATION',
            organizations: [
              { id: '00000000-0000-4000-8000-0000000000b1', name: 'Acme' },
              { id: '00000000-0000-4000-8000-0000000000b2', name: 'Globex' },
            ],
          });
        }
        signedIn = true;
        return Response.json({ status: 'SIGNED_IN', me: makeMe() });
      },
    });
    const { router } = renderApp('/sign-in?next=%2Fapi-keys');
    await userEvent.type(await screen.findByLabelText(/E-mail/), 'ann@acme.test');
    await userEvent.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await userEvent.selectOptions(await screen.findByLabelText(/Organization/), 'Globex');
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/api-keys'));
    const last = calls.filter((c) => c.path === '/api/v1/session').at(-1)!;
    expect(last.body).toMatchObject({ organizationId: '00000000-0000-4000-8000-0000000000b2' });
  });

  it('shows a wrong password next to the form, not as a session end', async () => {
    mockApi({
      'GET /api/v1/me': () => problem(401, 'no'),
      'POST /api/v1/session': () => problem(401, 'The e-mail or password is wrong'),
    });
    renderApp('/sign-in');
    await userEvent.type(await screen.findByLabelText(/E-mail/), 'ann@acme.test');
    await userEvent.type(screen.getByLabelText(/Password/), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The e-mail or password is wrong');
  });

  it('shows the not-found page for an unknown route, still inside the shell', async () => {
    mockApi(signedInHandlers());
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
  });
});

describe('sign in', () => {
  it('answers "Forgot password?" with what exists (an admin’s reset link), faking no reset flow', async () => {
    const user = userEvent.setup();
    const calls = mockApi({ 'GET /api/v1/me': () => problem(401, 'Authentication required') });
    renderApp('/sign-in');
    await user.click(await screen.findByText('Forgot password?'));
    expect(screen.getByText(/Ask an admin of your organization for a password-reset link/)).toBeVisible();
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });
});
