import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

async function fillSignUp() {
  await userEvent.type(await screen.findByLabelText(/Organization name/), 'Acme');
  await userEvent.type(screen.getByLabelText(/First name/), 'Ann');
  await userEvent.type(screen.getByLabelText(/Last name/), 'Lee');
  await userEvent.type(screen.getByLabelText(/Work e-mail/), 'ann@acme.test');
  await userEvent.type(screen.getByLabelText(/Password/), 'correct horse battery');
  await userEvent.click(screen.getByRole('button', { name: 'Create organization' }));
}

describe('sign-up', () => {
  it('without SMTP (201) signs in and goes to API keys', async () => {
    let signedIn = false;
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/me': () => (signedIn ? Response.json(makeMe()) : problem(401, 'no')),
      'POST /api/v1/signup': () => {
        signedIn = true;
        return Response.json(makeMe(), { status: 201 });
      },
    });
    const { router } = renderApp('/sign-up');
    await fillSignUp();
    await waitFor(() => expect(router.state.location.pathname).toBe('/api-keys'));
  });

  it('with SMTP (202) asks to check the e-mail and signs nobody in', async () => {
    const calls = mockApi({
      'GET /api/v1/me': () => problem(401, 'no'),
      'POST /api/v1/signup': () => Response.json({ status: 'CONFIRMATION_SENT' }, { status: 202 }),
    });
    const { router } = renderApp('/sign-up');
    await fillSignUp();
    expect(await screen.findByRole('heading', { name: 'Check your e-mail' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('ann@acme.test');
    expect(router.state.location.pathname).toBe('/sign-up');
    expect(calls.filter((c) => c.path === '/api/v1/signup')).toHaveLength(1);
  });

  it('the mailed link confirms once and signs in', async () => {
    let signedIn = false;
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/me': () => (signedIn ? Response.json(makeMe()) : problem(401, 'no')),
      'POST /api/v1/signup/confirm': () => {
        signedIn = true;
        return Response.json(makeMe(), { status: 201 });
      },
    });
    const { router } = renderApp('/confirm-sign-up#token=abcdefghijklmnopqrstuvwxyz0123456789');
    await waitFor(() => expect(router.state.location.pathname).toBe('/api-keys'));
    const confirms = calls.filter((c) => c.path === '/api/v1/signup/confirm');
    expect(confirms).toHaveLength(1);
    expect(confirms[0]?.body).toEqual({ token: 'abcdefghijklmnopqrstuvwxyz0123456789' });
  });

  it('a used or expired link says so and offers to sign up again', async () => {
    mockApi({
      'GET /api/v1/me': () => problem(401, 'no'),
      'POST /api/v1/signup/confirm': () => problem(404, 'This link is not valid: it was used or has expired'),
    });
    renderApp('/confirm-sign-up#token=abcdefghijklmnopqrstuvwxyz0123456789');
    expect(await screen.findByRole('alert')).toHaveTextContent('used or has expired');
    expect(screen.getByRole('link', { name: 'Sign up again' })).toHaveAttribute('href', '/sign-up');
  });
});
