import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiKey, makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const SECRET = 'ksk_0123456789abcdefghijABCDEFGHIJ01abcdef';

function handlers() {
  return {
    ...signedInHandlers(),
    'POST /api/v1/api-keys': () => Response.json({ key: apiKey(), secret: SECRET }, { status: 201 }),
    'PATCH /api/v1/api-keys/00000000-0000-4000-8000-0000000000d1': () => Response.json(apiKey()),
  };
}

async function fillDetails(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText(/^Name/), 'Payroll sync');
  await user.click(screen.getByRole('radio', { name: /Choose permissions/ }));
  await user.click(screen.getByRole('button', { name: 'Generate key' }));
}

describe('the create-key wizard', () => {
  it('creates the key with no permissions, gates Continue on "I have stored the API key", then saves the chosen ones with PATCH', async () => {
    const user = userEvent.setup();
    const calls = mockApi(handlers());
    const { router } = renderApp('/api-keys/new');
    await fillDetails(user);

    const secret = await screen.findByLabelText('API key');
    expect(secret).toHaveValue(SECRET);
    expect(secret).toHaveAttribute('readonly');
    expect(screen.getByText(/will not be shown again/)).toBeInTheDocument();
    const create = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/api-keys')!;
    expect(create.body).toEqual({
      name: 'Payroll sync',
      apiType: 'PEOPLE',
      permissionMode: 'SCOPED',
      permissions: [],
      fieldRights: {},
    });
    expect(create.headers.get('X-CSRF-Token')).toBe('csrf-123');

    const cont = screen.getByRole('button', { name: 'Continue' });
    expect(cont).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'I have stored the API key' }));
    expect(cont).toBeEnabled();
    await user.click(cont);

    expect(await screen.findByRole('heading', { name: 'Manage permissions' })).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: /View people records/ }));
    await user.selectOptions(screen.getByLabelText('First name'), 'VIEW');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/api-keys'));
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({ permissions: ['people:read'], fieldRights: { firstName: 'VIEW' } });
    expect(patch.headers.get('X-CSRF-Token')).toBe('csrf-123');
  });

  it('copies the secret with the Copy button', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    renderApp('/api-keys/new');
    await fillDetails(user);
    await screen.findByLabelText('API key');
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await screen.findByText('Copied to the clipboard.')).toBeInTheDocument();
  });

  it('creates an "inherit my access" key INHERIT and skips the permission step', async () => {
    const user = userEvent.setup();
    const calls = mockApi(handlers());
    const { router } = renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Everything I can');
    await user.click(screen.getByRole('radio', { name: /Inherit my access/ }));
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await user.click(await screen.findByRole('checkbox', { name: 'I have stored the API key' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/api-keys'));
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'Everything I can',
      apiType: 'PEOPLE',
      permissionMode: 'INHERIT',
    });
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('asks before leaving while the secret is shown', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    const { router } = renderApp('/api-keys/new');
    await fillDetails(user);
    await screen.findByLabelText('API key');
    await router.navigate('/people');
    const dialog = await screen.findByRole('dialog', { name: 'Leave this page?' });
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }));
    expect(router.state.location.pathname).toBe('/api-keys/new');
    expect(screen.getByLabelText('API key')).toHaveValue(SECRET);
  });

  it('shows a field-level problem detail next to the field it names', async () => {
    const user = userEvent.setup();
    mockApi({
      ...handlers(),
      'POST /api/v1/api-keys': () => problem(400, "Field 'ipAllowlist.0' has the wrong format", 'ipAllowlist.0'),
    });
    renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Bad IPs');
    await user.type(screen.getByLabelText(/IP allowlist/), 'not-an-ip');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    const input = screen.getByLabelText(/IP allowlist/);
    await waitFor(() => expect(input).toHaveAttribute('aria-invalid', 'true'));
    expect(input).toHaveAccessibleDescription(expect.stringContaining('IP allowlist must be in the expected format'));
    expect(screen.getByLabelText(/^Name/)).not.toHaveAttribute('aria-invalid');
  });

  it('shows a problem without a field above the form', async () => {
    const user = userEvent.setup();
    mockApi({ ...handlers(), 'POST /api/v1/api-keys': () => problem(403, 'You may not create keys') });
    renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Nope');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You may not create keys');
  });
});

const RITA_ID = '00000000-0000-4000-8000-000000000002';
const READER_ID = '00000000-0000-4000-8000-0000000000f1';
const rita = {
  ...makeMe().user,
  id: RITA_ID,
  email: 'rita@acme.test',
  firstName: 'Rita',
  lastName: 'Reader',
  kind: 'NON_EMPLOYEE' as const,
  hasPassword: false,
  accessLevel: { id: READER_ID, name: 'Reader' },
};
const reader = {
  id: READER_ID,
  name: 'Reader',
  description: '',
  recordScope: 'OWN' as const,
  permissions: ['people:read', 'keys:create-own'],
  fieldRights: { firstName: 'VIEW' as const },
  editable: true,
  userCount: 1,
};

describe('the create-key wizard for another user', () => {
  it('offers the chosen owner’s rights in the permission step, not the admin’s', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...handlers(),
      'GET /api/v1/users': () => Response.json({ items: [makeMe().user, rita] }),
      [`GET /api/v1/users/${RITA_ID}`]: () => Response.json(rita),
      [`GET /api/v1/access-levels/${READER_ID}`]: () => Response.json(reader),
    });
    renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Rita’s sync');
    await user.selectOptions(screen.getByLabelText('Owner'), RITA_ID);
    await user.click(screen.getByRole('radio', { name: /Choose permissions/ }));
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await user.click(await screen.findByRole('checkbox', { name: 'I have stored the API key' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText(/never exceeds Rita Reader’s access/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')!.body).toMatchObject({ ownerUserId: RITA_ID });
    // the admin holds every people permission and EDIT on every field; Rita only people:read and VIEW on firstName
    expect(screen.getByRole('checkbox', { name: /View people records/ })).toBeEnabled();
    for (const name of [/Add people records/, /Change people records/, /Delete people records/]) {
      const box = screen.getByRole('checkbox', { name });
      expect(box).toBeDisabled();
      expect(box).toHaveAccessibleDescription('Beyond Rita Reader’s access');
    }
    expect(within(screen.getByLabelText('First name')).getByRole('option', { name: 'View' })).toBeEnabled();
    expect(within(screen.getByLabelText('First name')).getByRole('option', { name: /^Edit/ })).toBeDisabled();
    expect(within(screen.getByLabelText('Last name')).getByRole('option', { name: /^View/ })).toBeDisabled();
  });

  it('says so when the owner’s access level cannot be read, and offers the admin’s own rights for the server to check', async () => {
    const user = userEvent.setup();
    mockApi({
      ...handlers(),
      'GET /api/v1/users': () => Response.json({ items: [makeMe().user, rita] }),
      [`GET /api/v1/users/${RITA_ID}`]: () => Response.json(rita),
      [`GET /api/v1/access-levels/${READER_ID}`]: () => problem(403, 'You may not read access levels'),
    });
    renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Rita’s sync');
    await user.selectOptions(screen.getByLabelText('Owner'), RITA_ID);
    await user.click(screen.getByRole('radio', { name: /Choose permissions/ }));
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await user.click(await screen.findByRole('checkbox', { name: 'I have stored the API key' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText(/You may not read Rita Reader’s access level/)).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: /Delete people records/ })).toBeEnabled();
  });
});

describe('the create-key wizard’s draft', () => {
  const stored = () => Object.values({ ...window.sessionStorage }).join('\n');

  it('keeps step 1 through an expired session and gives it back, then drops it once the secret exists', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    const first = renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Payroll sync');
    await user.type(screen.getByLabelText('Description'), 'Nightly export');
    await user.type(screen.getByLabelText(/IP allowlist/), '203.0.113.0/24');
    await user.type(screen.getByLabelText(/Rate limit/), '120');
    await user.click(screen.getByRole('radio', { name: /Inherit my access/ }));
    first.unmount(); // the session ended: the sign-in page replaces the wizard

    renderApp('/api-keys/new');
    expect(await screen.findByText(/Restored what you typed before/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Name/)).toHaveValue('Payroll sync');
    expect(screen.getByLabelText('Description')).toHaveValue('Nightly export');
    expect(screen.getByLabelText(/IP allowlist/)).toHaveValue('203.0.113.0/24');
    expect(screen.getByLabelText(/Rate limit/)).toHaveValue(120);
    expect(screen.getByRole('radio', { name: /Inherit my access/ })).toBeChecked();

    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    expect(await screen.findByLabelText('API key')).toHaveValue(SECRET);
    expect(window.sessionStorage.length).toBe(0);
    expect(stored()).not.toContain('ksk_');
  });

  it('is dropped on Cancel and never restored for another signed-in user', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    const first = renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Half done');
    first.unmount();
    expect(stored()).toContain('Half done');

    vi.unstubAllGlobals();
    const other = makeMe({ user: { ...makeMe().user, id: '00000000-0000-4000-8000-000000000009' } });
    mockApi({ ...handlers(), ...signedInHandlers(other) });
    const second = renderApp('/api-keys/new');
    expect(await screen.findByLabelText(/^Name/)).toHaveValue('');
    expect(screen.queryByText(/Restored what you typed before/)).toBeNull();
    second.unmount();

    vi.unstubAllGlobals();
    mockApi(handlers());
    renderApp('/api-keys/new');
    expect(await screen.findByLabelText(/^Name/)).toHaveValue('Half done');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(stored()).not.toContain('Half done'));
  });
});
