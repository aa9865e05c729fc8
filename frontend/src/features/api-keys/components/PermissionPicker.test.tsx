import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PermissionPicker, type PermissionSelection } from '@/features/api-keys/components/PermissionPicker';
import { partnerSelection } from '@/features/api-keys/components/permissions';
import {
  API_TYPES,
  apiKey,
  CATALOG,
  mockApi,
  PARTNERS,
  renderApp,
  signedInHandlers,
  makeMe,
  ALL_RIGHTS,
} from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

function Harness({
  myPermissions,
  apiType = API_TYPES[0],
  initial = { permissions: [], fieldRights: {} },
  onChange,
}: {
  myPermissions: string[];
  apiType?: (typeof API_TYPES)[number];
  initial?: PermissionSelection;
  onChange?: (s: PermissionSelection) => void;
}) {
  const [value, setValue] = useState(initial);
  return (
    <PermissionPicker
      catalog={CATALOG}
      apiType={apiType}
      myPermissions={myPermissions}
      myFieldRights={{ firstName: 'EDIT', lastName: 'VIEW' }}
      value={value}
      onChange={(v) => {
        setValue(v);
        onChange?.(v);
      }}
    />
  );
}

describe('the permission checkboxes', () => {
  it('select all in a group picks only what the user holds and the API type covers', async () => {
    const onChange = vi.fn();
    render(<Harness myPermissions={['people:read', 'people:create', 'audit:read']} onChange={onChange} />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select all People records' }));
    expect(onChange).toHaveBeenLastCalledWith({ permissions: ['people:read', 'people:create'], fieldRights: {} });
    expect(screen.getByRole('checkbox', { name: /View people records/ })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: /Delete people records/ })).not.toBeChecked();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select all People records' }));
    expect(onChange).toHaveBeenLastCalledWith({ permissions: [], fieldRights: {} });
  });

  it('disables permissions beyond the user’s own rights or outside the API type, with a note', () => {
    render(<Harness myPermissions={['people:read', 'audit:read']} />);
    const del = screen.getByRole('checkbox', { name: /Delete people records/ });
    expect(del).toBeDisabled();
    expect(del).toHaveAccessibleDescription('Beyond your own access');
    const audit = screen.getByRole('checkbox', { name: /View the audit log/ });
    expect(audit).toBeDisabled();
    expect(audit).toHaveAccessibleDescription('Not part of the People API');
    expect(screen.getByRole('checkbox', { name: /View people records/ })).toBeEnabled();
  });

  it('offers field rights only up to the user’s own', () => {
    render(<Harness myPermissions={['people:read']} />);
    const last = screen.getByLabelText('Last name');
    expect(within(last, 'Edit (beyond your rights)')).toBeDisabled();
    expect(within(last, 'View')).toBeEnabled();
    expect(within(screen.getByLabelText(/^Salary/), 'View (beyond your rights)')).toBeDisabled();
    expect(within(screen.getByLabelText('First name'), 'Edit')).toBeEnabled();
  });

  it('pre-selects the partner’s usual permissions and field rights, cut to the user’s own', () => {
    const selection = partnerSelection(PARTNERS[0], CATALOG, API_TYPES[0], ['people:read'], {
      firstName: 'EDIT',
      lastName: 'VIEW',
    });
    expect(selection).toEqual({ permissions: ['people:read'], fieldRights: { firstName: 'VIEW', lastName: 'VIEW' } });
    expect(partnerSelection(PARTNERS[0], CATALOG, API_TYPES[1], ['people:read', 'audit:read'], ALL_RIGHTS)).toEqual({
      permissions: [],
      fieldRights: {},
    });
  });

  it('arrives in the wizard with the chosen partner’s usual rights pre-selected', async () => {
    const user = userEvent.setup();
    mockApi({
      ...signedInHandlers(makeMe({ fieldRights: { firstName: 'EDIT', lastName: 'EDIT' } })),
      'POST /api/v1/api-keys': () => Response.json({ key: apiKey(), secret: 'ksk_x' }, { status: 201 }),
    });
    renderApp('/api-keys/new');
    await user.type(await screen.findByLabelText(/^Name/), 'Payroll');
    await user.selectOptions(screen.getByLabelText('Partner'), 'Payroll provider');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await user.click(await screen.findByRole('checkbox', { name: 'I have stored the API key' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.getByRole('checkbox', { name: /View people records/ })).toBeChecked());
    expect(screen.getByLabelText('First name')).toHaveValue('VIEW');
    expect(screen.getByLabelText('Last name')).toHaveValue('VIEW');
    expect(screen.getByLabelText(/^Salary/)).toHaveValue('NONE');
  });
});

function within(select: HTMLElement, optionText: string): HTMLOptionElement {
  const option = [...(select as HTMLSelectElement).options].find((o) => o.textContent === optionText);
  if (!option) throw new Error(`no option ${optionText}`);
  return option;
}
