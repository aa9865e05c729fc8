import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeMe, mockApi, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const MANAGER = makeMe({ permissions: [...makeMe().permissions, 'policies:manage'] });
const POLICIES = {
  maxKeyLifetimeDays: 90,
  expiryRequired: false,
  allowedIpRanges: ['10.0.0.0/8'],
  rateLimitDefaultPerMinute: null,
  rateLimitCeilingPerMinute: 1000,
  requireIfMatch: false,
  requireOnBehalfOf: false,
};

function handlers(me = MANAGER, put?: (body: unknown) => Response) {
  return {
    ...signedInHandlers(me),
    'GET /api/v1/organization/policies': () => Response.json(POLICIES),
    'PUT /api/v1/organization/policies': (req: { body: unknown }) => (put ? put(req.body) : Response.json(req.body)),
    'GET /api/v1/organization/sign-in-policy': () => Response.json(SIGN_IN),
  };
}

const SIGN_IN = { secondFactorRequiredFor: 'ADMINS', stepUpMinutes: 10, stepUpPasswordAllowed: true };
const stepUpRequired = () =>
  new Response(
    JSON.stringify({
      type: 'https://keysmith.dev/problems/step-up-required',
      title: 'Fresh authentication required',
      status: 403,
      detail: 'Confirm it is you to change the sign-in policy.',
    }),
    { status: 403, headers: { 'content-type': 'application/problem+json' } },
  );

const rangeRows = () => within(screen.getByRole('list', { name: 'Allowed IP ranges' })).getAllByRole('listitem');

describe('the organization policies form', () => {
  it('shows the server’s CIDR error next to the row it names, matched by the quoted value when the field has no index', async () => {
    const user = userEvent.setup();
    const calls = mockApi(
      handlers(MANAGER, () =>
        problem(400, "Field 'allowedIpRanges': '10.0.0.0/33' has a prefix length outside 0-32", 'allowedIpRanges'),
      ),
    );
    renderApp('/settings/policies');
    await user.click(await screen.findByRole('button', { name: '+ Add IP range' }));
    const second = screen.getByLabelText('IP range 2');
    expect(second).toHaveFocus();
    await user.type(second, '10.0.0.0/33');
    await user.click(screen.getByRole('button', { name: 'Save policies' }));

    await waitFor(() => expect(second).toHaveAttribute('aria-invalid', 'true'));
    expect(second).toHaveAccessibleDescription(expect.stringContaining('has a prefix length outside 0-32'));
    expect(screen.getByLabelText('IP range 1')).not.toHaveAttribute('aria-invalid');
    expect(within(rangeRows()[1]!).getByRole('alert')).toHaveTextContent('10.0.0.0/33');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toEqual({ ...POLICIES, allowedIpRanges: ['10.0.0.0/8', '10.0.0.0/33'] });
  });

  it('maps an indexed field ("allowedIpRanges.1") to the second row sent, skipping blank rows', async () => {
    const user = userEvent.setup();
    const calls = mockApi(
      handlers(MANAGER, () => problem(400, "Field 'allowedIpRanges.1' has the wrong format", 'allowedIpRanges.1')),
    );
    renderApp('/settings/policies');
    await user.click(await screen.findByRole('button', { name: '+ Add IP range' }));
    await user.click(screen.getByRole('button', { name: '+ Add IP range' }));
    await user.type(screen.getByLabelText('IP range 3'), 'not-a-range');
    await user.click(screen.getByRole('button', { name: 'Save policies' }));

    const third = screen.getByLabelText('IP range 3');
    await waitFor(() => expect(third).toHaveAttribute('aria-invalid', 'true'));
    expect(screen.getByLabelText('IP range 2')).not.toHaveAttribute('aria-invalid');
    expect(calls.find((c) => c.method === 'PUT')!.body).toMatchObject({
      allowedIpRanges: ['10.0.0.0/8', 'not-a-range'],
    });

    // Removing a row takes it out of what is sent.
    await user.click(screen.getByRole('button', { name: 'Remove IP range 3' }));
    expect(rangeRows()).toHaveLength(2);
    expect(screen.getByRole('button', { name: '+ Add IP range' })).toHaveFocus();
  });

  it('warns when the default rate is above the ceiling, and sends both limits', async () => {
    const user = userEvent.setup();
    const calls = mockApi(handlers());
    renderApp('/settings/policies');
    const def = await screen.findByLabelText('Default requests per minute');
    await user.type(def, '5000');
    expect(screen.getByText(/is above the ceiling/)).toHaveTextContent(
      /default \(5,000 per minute\) is above the ceiling \(1,000 per minute\)/,
    );
    await user.clear(def);
    await user.type(def, '600');
    expect(screen.queryByText(/is above the ceiling/)).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Save policies' }));
    expect(await screen.findByText(/Policies saved/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ ...POLICIES, rateLimitDefaultPerMinute: 600 });
    expect(screen.getByRole('button', { name: 'Save policies' })).toBeDisabled();
  });

  it('says so when the server kept other values than those sent', async () => {
    const user = userEvent.setup();
    // A server that does not know rateLimitDefaultPerMinute yet answers without it.
    mockApi(handlers(MANAGER, (body) => Response.json({ ...(body as object), rateLimitDefaultPerMinute: null })));
    renderApp('/settings/policies');
    await user.type(await screen.findByLabelText('Default requests per minute'), '600');
    await user.click(screen.getByRole('button', { name: 'Save policies' }));
    expect(await screen.findByText(/server kept other values for: default requests per minute/)).toBeInTheDocument();
    expect(screen.getByLabelText('Default requests per minute')).toHaveValue(null);
  });

  it('shows a scalar field’s error next to its field', async () => {
    const user = userEvent.setup();
    mockApi(
      handlers(MANAGER, () => problem(400, "Field 'maxKeyLifetimeDays' must be at most 3650", 'maxKeyLifetimeDays')),
    );
    renderApp('/settings/policies');
    const days = await screen.findByLabelText('Maximum key lifetime (days)');
    await user.clear(days);
    await user.type(days, '5000');
    await user.click(screen.getByRole('button', { name: 'Save policies' }));
    await waitFor(() => expect(days).toHaveAttribute('aria-invalid', 'true'));
    expect(days).toHaveAccessibleDescription(expect.stringContaining('must be at most 3650'));
  });

  it('asks before leaving with unsaved changes', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    const { router } = renderApp('/settings/policies');
    await user.click(await screen.findByRole('checkbox', { name: /Every key must have an expiry date/ }));
    await router.navigate('/partners');
    const dialog = await screen.findByRole('dialog', { name: 'Leave this page?' });
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }));
    expect(router.state.location.pathname).toBe('/settings/policies');
    expect(screen.getByRole('checkbox', { name: /Every key must have an expiry date/ })).toBeChecked();
  });

  it('discards the draft when the person chooses to leave', async () => {
    const user = userEvent.setup();
    mockApi(handlers());
    const { router } = renderApp('/settings/policies');
    await user.click(await screen.findByRole('checkbox', { name: /Every key must have an expiry date/ }));
    expect(window.sessionStorage.length).toBe(1); // the unsaved change is kept against an expired session
    await router.navigate('/partners');
    const dialog = await screen.findByRole('dialog', { name: 'Leave this page?' });
    await user.click(within(dialog).getByRole('button', { name: 'Leave' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/partners'));
    expect(window.sessionStorage.length).toBe(0);
  });

  it('is read-only without policies:manage, and says so', async () => {
    mockApi(handlers(makeMe()));
    renderApp('/settings/policies');
    expect(await screen.findByText(/You can view these policies but not change them/)).toBeInTheDocument();
    expect(screen.getByLabelText('Maximum key lifetime (days)')).toBeDisabled();
    expect(screen.getByLabelText('Maximum key lifetime (days)')).toHaveValue(90);
    expect(screen.getByLabelText('IP range 1')).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: /Every key must have an expiry date/ })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save policies' })).toBeNull();
    expect(screen.queryByRole('button', { name: '+ Add IP range' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove IP range/ })).toBeNull();
  });

  it('shows the cap on keys per user and sends a changed one', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...handlers(),
      'GET /api/v1/organization/policies': () => Response.json({ ...POLICIES, maxKeysPerUser: 1000 }),
    });
    renderApp('/settings/policies');
    const cap = await screen.findByLabelText('Maximum keys per user');
    expect(cap).toHaveValue(1000);
    await user.clear(cap);
    await user.type(cap, '25');
    await user.click(screen.getByRole('button', { name: 'Save policies' }));
    expect(await screen.findByText(/Policies saved/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ ...POLICIES, maxKeysPerUser: 25 });
  });

  it('shows the write policies and sends the ones switched on', async () => {
    const user = userEvent.setup();
    const calls = mockApi(handlers());
    renderApp('/settings/policies');
    const ifMatch = await screen.findByLabelText(/must name the version they change/);
    const onBehalf = screen.getByLabelText(/must name the person they act for/);
    expect(ifMatch).not.toBeChecked();
    expect(onBehalf).not.toBeChecked();
    await user.click(onBehalf);
    await user.click(screen.getByRole('button', { name: 'Save policies' }));
    expect(await screen.findByText(/Policies saved/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ ...POLICIES, requireOnBehalfOf: true });
  });
});

describe('the sign-in policy', () => {
  it('saves "Everyone" through the step-up prompt, then goes on with the same request', async () => {
    const user = userEvent.setup();
    let puts = 0;
    const calls = mockApi({
      ...handlers(),
      'PUT /api/v1/organization/sign-in-policy': (req) => (++puts === 1 ? stepUpRequired() : Response.json(req.body)),
      'POST /api/v1/session/step-up': () => new Response(null, { status: 204 }),
    });
    renderApp('/settings/policies');
    const form = await screen.findByRole('form', { name: 'Sign-in policy' });
    const group = within(form).getByRole('group', { name: 'Require a second factor for' });
    expect(within(group).getByRole('radio', { name: /^Administrators/ })).toBeChecked();
    expect(within(group).getByRole('radio', { name: /^Administrators/ })).toHaveAccessibleName(/Full Admins/);
    const minutes = within(form).getByLabelText('Step-up window (minutes)');
    expect(minutes).toHaveValue(10);
    expect(minutes).toHaveAttribute('min', '1');
    expect(minutes).toHaveAttribute('max', '720');
    expect(within(form).getByRole('button', { name: 'Save sign-in policy' })).toBeDisabled();

    await user.click(within(group).getByRole('radio', { name: /^Everyone/ }));
    await user.clear(minutes);
    await user.type(minutes, '30');
    await user.click(within(form).getByRole('checkbox', { name: 'Allow the password for step-up' }));
    await user.click(within(form).getByRole('button', { name: 'Save sign-in policy' }));

    const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await user.type(within(dialog).getByLabelText(/^Password/), 'correct horse');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await within(form).findByText(/Sign-in policy saved/)).toBeInTheDocument();
    const sent = calls.filter((c) => c.method === 'PUT' && c.path === '/api/v1/organization/sign-in-policy');
    expect(sent).toHaveLength(2);
    const expected = { secondFactorRequiredFor: 'EVERYONE', stepUpMinutes: 30, stepUpPasswordAllowed: false };
    expect(sent[0]!.body).toEqual(expected);
    expect(sent[1]!.body).toEqual(expected);
    expect(calls.find((c) => c.path === '/api/v1/session/step-up')!.body).toEqual({ password: 'correct horse' });
    expect(within(form).getByRole('button', { name: 'Save sign-in policy' })).toBeDisabled();
  });

  it('shows the refusal when the step-up is cancelled, and nothing is saved', async () => {
    const user = userEvent.setup();
    const calls = mockApi({ ...handlers(), 'PUT /api/v1/organization/sign-in-policy': () => stepUpRequired() });
    renderApp('/settings/policies');
    const form = await screen.findByRole('form', { name: 'Sign-in policy' });
    await user.click(within(form).getByRole('radio', { name: /^Nobody/ }));
    await user.click(within(form).getByRole('button', { name: 'Save sign-in policy' }));
    const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(/Confirm it is you/);
    expect(within(form).queryByText(/Sign-in policy saved/)).toBeNull();
    expect(calls.filter((c) => c.path === '/api/v1/organization/sign-in-policy' && c.method === 'PUT')).toHaveLength(1);
  });

  it('refuses a step-up window outside 1 to 720 minutes before sending, and shows the server’s field error', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...handlers(),
      'PUT /api/v1/organization/sign-in-policy': () =>
        problem(400, "Field 'stepUpMinutes' must be at most 720", 'stepUpMinutes'),
    });
    renderApp('/settings/policies');
    const form = await screen.findByRole('form', { name: 'Sign-in policy' });
    const minutes = within(form).getByLabelText('Step-up window (minutes)');
    await user.clear(minutes);
    await user.type(minutes, '721');
    await user.click(within(form).getByRole('button', { name: 'Save sign-in policy' }));
    await waitFor(() => expect(minutes).toHaveAttribute('aria-invalid', 'true'));
    expect(minutes).toHaveAccessibleDescription(expect.stringContaining('from 1 to 720'));
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    await user.clear(minutes);
    await user.type(minutes, '0');
    await user.click(within(form).getByRole('button', { name: 'Save sign-in policy' }));
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    await user.clear(minutes);
    await user.type(minutes, '15');
    await user.click(within(form).getByRole('button', { name: 'Save sign-in policy' }));
    await waitFor(() => expect(minutes).toHaveAccessibleDescription(expect.stringContaining('at most 720')));
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });

  it('is read-only without policies:manage, and says so', async () => {
    mockApi(handlers(makeMe()));
    renderApp('/settings/policies');
    const form = await screen.findByRole('form', { name: 'Sign-in policy' });
    expect(within(form).getByText(/You can view the sign-in policy but not change it/)).toBeInTheDocument();
    for (const radio of within(form).getAllByRole('radio')) expect(radio).toBeDisabled();
    expect(within(form).getByRole('radio', { name: /^Administrators/ })).toBeChecked();
    expect(within(form).getByLabelText('Step-up window (minutes)')).toBeDisabled();
    expect(within(form).getByRole('checkbox', { name: 'Allow the password for step-up' })).toBeDisabled();
    expect(within(form).queryByRole('button', { name: 'Save sign-in policy' })).toBeNull();
  });
});
