import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PermissionPicker } from '@/features/api-keys/components/PermissionPicker';
import { isWrite } from '@/features/api-keys/components/PermissionPicker';
import { API_TYPES, CATALOG } from '@/testing/mock-api';

const ALL = ['people:read', 'people:create', 'people:update', 'people:delete', 'audit:read'];

function picker(apiType: (typeof API_TYPES)[number]) {
  return render(
    <PermissionPicker
      catalog={CATALOG}
      apiType={apiType}
      myPermissions={ALL}
      myFieldRights={{}}
      value={{ permissions: [], fieldRights: {} }}
      onChange={() => {}}
    />,
  );
}

describe('the permission groups (wizard step 3 and the Edit page)', () => {
  it('shows the groups the key can use first and folds the others into one summary line', () => {
    picker(API_TYPES[1]!); // Audit Log API: only the audit group applies
    const groups = screen.getAllByRole('group');
    expect(groups[0]).toHaveAccessibleName('Audit log');
    const summary = screen.getByText(/1 more group is not available for this key/);
    expect(summary).toHaveTextContent('People records');
    // the unusable group's checkboxes are inside the folded details, not open on the page
    const details = summary.closest('details')!;
    expect(details).not.toHaveAttribute('open');
    expect(within(details).getByRole('checkbox', { name: /View people records/, hidden: true })).toBeDisabled();
  });

  it('puts write permissions apart from the reads, under "Write permissions"', () => {
    picker(API_TYPES[0]!);
    const writes = screen.getByText('Write permissions').closest('.perm-writes') as HTMLElement;
    for (const name of [/Add people records/, /Change people records/, /Delete people records/]) {
      expect(within(writes).getByRole('checkbox', { name })).toBeEnabled();
    }
    expect(within(writes).queryByRole('checkbox', { name: /View people records/ })).toBeNull();
    expect(screen.getByText(/1 more group is not available for this key/)).toHaveTextContent('Audit log');
  });

  it('tells writes from reads by the action', () => {
    expect(isWrite('people:create')).toBe(true);
    expect(isWrite('people:delete')).toBe(true);
    expect(isWrite('people:read')).toBe(false);
  });
});
