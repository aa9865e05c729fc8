import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeMe, mockApi, PARTNERS, problem, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const MANAGER = makeMe({ permissions: [...makeMe().permissions, 'partners:manage'] });
const OWN = {
  id: '00000000-0000-4000-8000-0000000000c2',
  name: 'Benefits Co',
  website: 'https://benefits.example',
  platformWide: false,
  usualPermissions: ['audit:read'],
  usualFieldRights: {},
};

describe('the partner directory', () => {
  it('lists platform-wide and own partners with their usual permissions, and searches', async () => {
    const user = userEvent.setup();
    mockApi({ ...signedInHandlers(), 'GET /api/v1/partners': () => Response.json({ items: [OWN, ...PARTNERS] }) });
    renderApp('/partners');
    const payroll = await screen.findByRole('row', { name: /Payroll provider/ });
    expect(payroll).toHaveTextContent('Platform-wide');
    expect(payroll).toHaveTextContent('View people records');
    expect(payroll).toHaveTextContent('First name: view');
    expect(screen.getByRole('row', { name: /Benefits Co/ })).toHaveTextContent('Your organization');
    expect(screen.queryByRole('button', { name: '+ Add partner' })).toBeNull();

    await user.type(screen.getByLabelText('Search'), 'benefits');
    expect(screen.queryByRole('row', { name: /Payroll provider/ })).toBeNull();
    expect(screen.getByRole('row', { name: /Benefits Co/ })).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Search'));
    await user.type(screen.getByLabelText('Search'), 'zzz');
    expect(screen.getByText('No partners match')).toBeInTheDocument();
  });

  it('explains an empty directory', async () => {
    mockApi({ ...signedInHandlers(MANAGER), 'GET /api/v1/partners': () => Response.json({ items: [] }) });
    renderApp('/partners');
    expect(await screen.findByText('No partners yet')).toBeInTheDocument();
    expect(screen.getByText(/Add your organization’s first partner/)).toBeInTheDocument();
  });

  it('adds an organization partner with usual permissions chosen by checkboxes', async () => {
    const user = userEvent.setup();
    let items = [...PARTNERS];
    let answer: ((body: unknown) => Response) | undefined = () =>
      problem(400, "Field 'website' must match ^https?://", 'website');
    const calls = mockApi({
      ...signedInHandlers(MANAGER),
      'GET /api/v1/partners': () => Response.json({ items }),
      'POST /api/v1/partners': (req) => {
        if (answer) return answer(req.body);
        const created = { id: OWN.id, platformWide: false, usualFieldRights: {}, ...(req.body as object) };
        items = [...items, created as typeof OWN];
        return Response.json(created, { status: 201 });
      },
    });
    renderApp('/partners');
    await user.click(await screen.findByRole('button', { name: '+ Add partner' }));
    const form = screen.getByRole('form', { name: 'Add partner' });
    await user.type(within(form).getByLabelText(/^Name/), 'Benefits Co');
    await user.type(within(form).getByLabelText('Website'), 'benefits.example');
    await user.click(within(form).getByRole('checkbox', { name: /View people records/ }));
    await user.click(within(form).getByRole('checkbox', { name: /View the audit log/ }));
    await user.selectOptions(within(form).getByLabelText('First name'), 'VIEW');
    await user.click(within(form).getByRole('button', { name: 'Add partner' }));

    const website = within(form).getByLabelText('Website');
    await waitFor(() => expect(website).toHaveAttribute('aria-invalid', 'true'));
    expect(website).toHaveAccessibleDescription(expect.stringContaining('must match'));

    answer = undefined;
    await user.clear(website);
    await user.type(website, 'https://benefits.example');
    await user.click(within(form).getByRole('button', { name: 'Add partner' }));
    expect(await screen.findByText(/“Benefits Co” was added/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({
      name: 'Benefits Co',
      website: 'https://benefits.example',
      usualPermissions: ['people:read', 'audit:read'],
      usualFieldRights: { firstName: 'VIEW' },
    });
    expect(await screen.findByRole('row', { name: /Benefits Co/ })).toHaveTextContent('Your organization');
  });
});
