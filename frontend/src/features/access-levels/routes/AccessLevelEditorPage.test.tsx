import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BUILTIN_ID,
  CUSTOM_ID,
  EDITOR_CATALOG,
  editorHandlers,
  level,
  OWNER_PERMISSIONS,
} from '@/features/access-levels/testing';
import { makeMe, mockApi, problem, renderApp } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const NEW = '/settings/access-levels/new';
const radio = (field: string, right: string) => screen.getByRole('radio', { name: `${field}: ${right}` });
/** A problem as the server sends it: its own type, and the part it concerns in `field`. */
const serverProblem = (status: number, type: string, detail: string, field?: string) =>
  new Response(
    JSON.stringify({
      type: `https://keysmith.dev/problems/${type}`,
      title: status === 409 ? 'Conflict' : 'Forbidden',
      status,
      detail,
      ...(field ? { field } : {}),
    }),
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

/** Someone who may manage levels but holds little: people:read only, own record, first name EDIT, last name VIEW. */
const limitedMe = makeMe({
  permissions: ['people:read', 'access-levels:read', 'access-levels:manage', 'keys:create-own'],
  recordScope: 'OWN',
  fieldRights: { firstName: 'EDIT', lastName: 'VIEW' },
});

describe('the access-level editor', () => {
  it('creates a level from the matrix, grouped checkboxes and developer permissions, with POST', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...editorHandlers(),
      'POST /api/v1/access-levels': () => Response.json(level(), { status: 201 }),
    });
    const { router } = renderApp(NEW);
    await user.type(await screen.findByLabelText(/^Name/), 'Payroll integration');
    await user.type(screen.getByLabelText('Description'), 'Nightly payroll export');
    await user.click(screen.getByRole('radio', { name: /All records/ }));

    // "Set all" per column, then single rows.
    await user.click(screen.getByRole('button', { name: 'Set all fields to View' }));
    expect(radio('Work email', 'View')).toBeChecked();
    await user.click(radio('Work email', 'None'));
    await user.click(radio('National ID', 'None'));
    await user.click(radio('First name', 'Edit'));

    // Select-all per group; single checkboxes; the developer section stands apart.
    const people = screen.getByRole('group', { name: 'People records' });
    await user.click(within(people).getByRole('checkbox', { name: 'Select all People records' }));
    for (const box of within(people).getAllByRole('checkbox', { name: /people:/ })) expect(box).toBeChecked();
    await user.click(within(people).getByRole('checkbox', { name: /Delete people records/ }));
    expect(within(people).getByRole('checkbox', { name: 'Select all People records' })).toHaveProperty(
      'indeterminate',
      true,
    );
    const developer = screen.getByRole('group', { name: 'API keys' });
    expect(
      within(developer).getByRole('checkbox', { name: /Manage ALL organization API credentials/ }),
    ).not.toBeChecked();
    await user.click(within(developer).getByRole('checkbox', { name: /Create own API keys/ }));

    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/access-levels'));
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/access-levels')!;
    expect(post.body).toEqual({
      name: 'Payroll integration',
      description: 'Nightly payroll export',
      recordScope: 'ALL',
      fieldRights: { firstName: 'EDIT', lastName: 'VIEW', salary: 'VIEW' },
      permissions: ['people:read', 'people:create', 'people:update', 'keys:create-own'],
    });
    expect(post.headers.get('X-CSRF-Token')).toBe('csrf-123');
  });

  it('disables what the editor does not hold, with the reason, and select-all / set-all stay within it', async () => {
    const user = userEvent.setup();
    mockApi(editorHandlers(limitedMe));
    renderApp(NEW);

    const del = await screen.findByRole('checkbox', { name: /Delete people records/ });
    expect(del).toBeDisabled();
    expect(del).toHaveAccessibleDescription('You don’t have this right yourself');
    expect(screen.getByRole('checkbox', { name: /Manage ALL organization API credentials/ })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: /Create own API keys/ })).toBeEnabled();
    // A group the editor holds nothing of: no select-all, every box disabled.
    const users = screen.getByRole('group', { name: 'Users' });
    expect(within(users).queryByRole('checkbox', { name: /Select all/ })).toBeNull();
    for (const box of within(users).getAllByRole('checkbox')) expect(box).toBeDisabled();

    const all = screen.getByRole('radio', { name: /All records/ });
    expect(all).toBeDisabled();
    expect(all).toHaveAccessibleDescription('You don’t have this right yourself');

    expect(radio('Salary', 'View')).toBeDisabled();
    expect(radio('Salary', 'View')).toHaveAccessibleDescription('View, Edit: You don’t have this right yourself');
    expect(radio('Last name', 'Edit')).toBeDisabled();
    expect(radio('Last name', 'View')).toBeEnabled();
    expect(radio('First name', 'Edit')).toBeEnabled();

    await user.click(screen.getByRole('checkbox', { name: 'Select all People records' }));
    expect(screen.getByRole('checkbox', { name: /View people records/ })).toBeChecked();
    expect(del).not.toBeChecked();

    await user.click(screen.getByRole('button', { name: 'Set all fields to Edit' }));
    expect(radio('First name', 'Edit')).toBeChecked();
    expect(radio('Last name', 'View')).toBeChecked();
    expect(radio('Salary', 'None')).toBeChecked();
  });

  it('shows a problem next to the part its field names: name, permissions (by the index sent), developer, record scope, a field right', async () => {
    const user = userEvent.setup();
    let answer = problem(400, "Field 'name' is too long", 'name');
    const calls = mockApi({ ...editorHandlers(), 'POST /api/v1/access-levels': () => answer });
    renderApp(NEW);
    const name = await screen.findByLabelText(/^Name/);
    await user.type(name, 'X');
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription('Name must be at most 200 characters'));
    expect(name).toHaveAttribute('aria-invalid', 'true');

    answer = serverProblem(409, 'name-taken', 'An access level with this name already exists', 'name');
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription('An access level with this name already exists'));

    // Sent in catalog order: people:read, people:delete, keys:create-own; the field is the index into that.
    await user.click(screen.getByRole('checkbox', { name: /Delete people records/ }));
    await user.click(screen.getByRole('checkbox', { name: /View people records/ }));
    await user.click(screen.getByRole('checkbox', { name: /Create own API keys/ }));
    const card = (heading: string) => screen.getByRole('heading', { name: heading }).closest('.card') as HTMLElement;

    answer = serverProblem(
      403,
      'escalation',
      "You cannot grant permission 'people:delete': your own access level does not hold it",
      'permissions.1',
    );
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    expect(await within(card('Operation permissions')).findByRole('alert')).toHaveTextContent(
      "permission 'people:delete'",
    );
    expect(name).not.toHaveAttribute('aria-invalid');
    const sent = calls.filter((c) => c.method === 'POST').at(-1)!.body as { permissions: string[] };
    expect(sent.permissions).toEqual(['people:read', 'people:delete', 'keys:create-own']);

    // The detail is for people; the placement comes from the field alone.
    answer = serverProblem(403, 'escalation', 'Not yours to grant', 'permissions.2');
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    expect(await within(card('Developer permissions')).findByRole('alert')).toHaveTextContent('Not yours to grant');
    expect(within(card('Operation permissions')).queryByRole('alert')).toBeNull();

    answer = serverProblem(403, 'escalation', 'Not yours to grant', 'recordScope');
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    const records = screen.getByRole('group', { name: 'Records' });
    expect(await within(records).findByRole('alert')).toHaveTextContent('Not yours to grant');
    expect(records).toHaveAccessibleDescription('Not yours to grant');

    answer = serverProblem(403, 'escalation', 'Not yours to grant', 'fieldRights.salary');
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    expect(await within(card('Field rights')).findByRole('alert')).toHaveTextContent('Not yours to grant');
    expect(radio('Salary', 'Edit')).toHaveAccessibleDescription('Not yours to grant');
    expect(radio('First name', 'Edit')).not.toHaveAccessibleDescription('Not yours to grant');
    expect(within(records).queryByRole('alert')).toBeNull();

    // No field: above the Save button.
    answer = serverProblem(403, 'escalation', 'Refused for a reason of its own');
    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    const formAlert = await screen.findByText('Refused for a reason of its own');
    expect(formAlert.closest('[role="alert"]')).toHaveClass('alert--error');
    expect(within(card('Field rights')).queryByRole('alert')).toBeNull();
  });

  it('asks for a name before sending anything', async () => {
    const user = userEvent.setup();
    const calls = mockApi(editorHandlers());
    renderApp(NEW);
    await user.click(await screen.findByRole('button', { name: 'Create access level' }));
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription('Enter a name.');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('opens a built-in level read-only and says why', async () => {
    mockApi(editorHandlers());
    renderApp(`/settings/access-levels/${BUILTIN_ID}`);
    expect(await screen.findByText(/Built-in access level: read-only/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Employee', level: 1 })).toBeInTheDocument();
    expect(screen.getByLabelText(/^Name/)).toHaveAttribute('readonly');
    for (const box of screen.getAllByRole('checkbox')) expect(box).toBeDisabled();
    for (const r of screen.getAllByRole('radio')) expect(r).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: /Create own API keys/ })).toBeChecked();
    expect(radio('First name', 'View')).toBeChecked();
    expect(screen.queryByRole('button', { name: /Save|Delete|Set all/ })).toBeNull();
  });

  it('saves changes to a custom level with PUT', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...editorHandlers(),
      [`PUT /api/v1/access-levels/${CUSTOM_ID}`]: () => Response.json(level()),
    });
    const { router } = renderApp(`/settings/access-levels/${CUSTOM_ID}`);
    expect(await screen.findByRole('checkbox', { name: /View people records/ })).toBeChecked();
    expect(radio('Salary', 'View')).toBeChecked();
    await user.click(radio('Salary', 'None'));
    await user.click(screen.getByRole('checkbox', { name: /View the audit log/ }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/access-levels'));
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({
      name: 'Payroll integration',
      description: 'Reads pay data',
      recordScope: 'ALL',
      fieldRights: { firstName: 'VIEW', lastName: 'VIEW' },
      permissions: ['people:read', 'audit:read'],
    });
  });

  it('shows the server’s refusal to delete a level in use', async () => {
    const user = userEvent.setup();
    mockApi({
      ...editorHandlers(),
      [`GET /api/v1/access-levels/${CUSTOM_ID}`]: () => Response.json(level({ userCount: 2 })),
      [`DELETE /api/v1/access-levels/${CUSTOM_ID}`]: () =>
        problem(409, 'Move its 2 user(s) to another access level first'),
    });
    renderApp(`/settings/access-levels/${CUSTOM_ID}`);
    await user.click(await screen.findByRole('button', { name: 'Delete access level' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete “Payroll integration”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Move its 2 user(s) to another access level first',
    );
  });

  it('asks before leaving with unsaved changes', async () => {
    const user = userEvent.setup();
    mockApi(editorHandlers());
    const { router } = renderApp(`/settings/access-levels/${CUSTOM_ID}`);
    await user.click(await screen.findByRole('checkbox', { name: /View the audit log/ }));
    await user.click(screen.getByRole('link', { name: '← Access levels' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave this page?' });
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }));
    expect(router.state.location.pathname).toBe(`/settings/access-levels/${CUSTOM_ID}`);
    expect(screen.getByRole('checkbox', { name: /View the audit log/ })).toBeChecked();
    await user.click(screen.getByRole('link', { name: '← Access levels' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Leave this page?' })).getByRole('button', { name: 'Leave' }),
    );
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/access-levels'));
  });

  it('opens a level granting more than the editor holds read-only, naming those rights', async () => {
    mockApi({
      ...editorHandlers(limitedMe),
      [`GET /api/v1/access-levels/${CUSTOM_ID}`]: () =>
        Response.json(level({ permissions: ['people:read', 'audit:read'] })),
    });
    renderApp(`/settings/access-levels/${CUSTOM_ID}`);
    const note = await screen.findByText(/this level grants rights you don’t hold yourself/);
    expect(note.closest('p')).toHaveTextContent('(“View the audit log”, all records, view on Salary)');
    expect(note.closest('p')).toHaveTextContent('Only someone who holds them can change or delete it');
    expect(screen.getByRole('checkbox', { name: /View the audit log/ })).toBeDisabled();
    expect(screen.queryByRole('button', { name: /Save|Delete|Set all/ })).toBeNull();
    expect(screen.getByRole('link', { name: 'Back to access levels' })).toBeInTheDocument();
  });

  it('hides catalog groups marked non-grantable', async () => {
    const base = editorHandlers();
    const catalog = {
      ...EDITOR_CATALOG,
      groups: [
        ...EDITOR_CATALOG.groups,
        {
          resource: 'platform',
          title: 'Platform operator',
          grantable: false,
          permissions: [{ name: 'platform:manage-organizations', title: 'Create organizations' }],
        },
      ],
    };
    mockApi({ ...base, 'GET /api/v1/permissions': () => Response.json(catalog) });
    renderApp(NEW);
    expect(await screen.findByRole('group', { name: 'Audit log' })).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Platform operator' })).toBeNull();
    expect(screen.queryByRole('checkbox', { name: /Create organizations/ })).toBeNull();
  });
});

describe('the access-level list', () => {
  it('links every row to the editor and offers a new level to managers', async () => {
    mockApi(editorHandlers());
    renderApp('/settings/access-levels');
    expect(await screen.findByRole('link', { name: 'Payroll integration' })).toHaveAttribute(
      'href',
      `/settings/access-levels/${CUSTOM_ID}`,
    );
    expect(screen.getByRole('link', { name: 'Employee' })).toHaveAttribute(
      'href',
      `/settings/access-levels/${BUILTIN_ID}`,
    );
    expect(screen.getByRole('link', { name: '+ New access level' })).toHaveAttribute('href', NEW);
  });

  it('offers no new level without access-levels:manage', async () => {
    mockApi(editorHandlers(makeMe({ permissions: OWNER_PERMISSIONS.filter((p) => p !== 'access-levels:manage') })));
    renderApp('/settings/access-levels');
    expect(await screen.findByRole('link', { name: 'Payroll integration' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: '+ New access level' })).toBeNull();
  });
});

describe('the access-level editor’s draft', () => {
  const stored = () => Object.values({ ...window.sessionStorage }).join('\n');

  it('keeps a new level through an expired session, gives it back, and is gone once saved', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...editorHandlers(),
      'POST /api/v1/access-levels': () => Response.json(level(), { status: 201 }),
    });
    const first = renderApp(NEW);
    await user.type(await screen.findByLabelText(/^Name/), 'Payroll integration');
    await user.type(screen.getByLabelText('Description'), 'Nightly export');
    await user.click(screen.getByRole('checkbox', { name: /View the audit log/ }));
    await user.click(radio('Salary', 'View'));
    first.unmount(); // the session ended: the sign-in page replaces the editor

    const { router } = renderApp(NEW);
    expect(await screen.findByText(/Restored your unsaved changes/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Name/)).toHaveValue('Payroll integration');
    expect(screen.getByLabelText('Description')).toHaveValue('Nightly export');
    expect(screen.getByRole('checkbox', { name: /View the audit log/ })).toBeChecked();
    expect(radio('Salary', 'View')).toBeChecked();

    await user.click(screen.getByRole('button', { name: 'Create access level' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/access-levels'));
    expect(calls.find((c) => c.method === 'POST')!.body).toMatchObject({
      name: 'Payroll integration',
      description: 'Nightly export',
      fieldRights: { salary: 'VIEW' },
      permissions: ['audit:read'],
    });
    expect(window.sessionStorage.length).toBe(0);
  });

  it('keeps only unsaved changes to a stored level, and none once the person chose to leave', async () => {
    const user = userEvent.setup();
    mockApi(editorHandlers());
    const first = renderApp(`/settings/access-levels/${CUSTOM_ID}`);
    await user.click(await screen.findByRole('checkbox', { name: /View the audit log/ }));
    expect(stored()).toContain('audit:read');
    await user.click(screen.getByRole('checkbox', { name: /View the audit log/ }));
    expect(window.sessionStorage.length).toBe(0); // back to what is stored: nothing to keep
    await user.click(radio('Salary', 'None'));
    first.unmount();

    const { router } = renderApp(`/settings/access-levels/${CUSTOM_ID}`);
    expect(await screen.findByText(/Restored your unsaved changes/)).toBeInTheDocument();
    expect(radio('Salary', 'None')).toBeChecked();
    await user.click(screen.getByRole('link', { name: 'Cancel' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Leave this page?' })).getByRole('button', { name: 'Leave' }),
    );
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings/access-levels'));
    expect(window.sessionStorage.length).toBe(0);
  });

  it('restores nothing into a level the editor may only read', async () => {
    mockApi(editorHandlers());
    const me = makeMe({ permissions: OWNER_PERMISSIONS });
    window.sessionStorage.setItem(
      `keysmith.draft.access-level.${BUILTIN_ID}.${me.user.id}`,
      JSON.stringify({ name: 'Hijacked', permissions: ['keys:manage-all'] }),
    );
    renderApp(`/settings/access-levels/${BUILTIN_ID}`);
    expect(await screen.findByLabelText(/^Name/)).toHaveValue('Employee');
    expect(screen.queryByText(/Restored your unsaved changes/)).toBeNull();
    expect(screen.getByRole('checkbox', { name: /Manage ALL organization API credentials/ })).not.toBeChecked();
  });
});
