import { SelectAll } from '@/components/ui/SelectAll';
import type { ApiType, PermissionCatalog } from '@/features/api-keys/api/keys';
import { usesFieldRights, whyUnavailable, type KeyOwner } from '@/features/api-keys/components/permissions';
import { exceeds, FIELD_RIGHTS, RIGHT_LABELS, rightOf, type FieldRight, type FieldRights } from '@/lib/field-rights';
import '@/features/api-keys/components/permission-picker.css';

export type PermissionSelection = { permissions: string[]; fieldRights: FieldRights };

type Props = {
  catalog: PermissionCatalog;
  apiType: ApiType | undefined;
  myPermissions: readonly string[];
  myFieldRights: FieldRights;
  value: PermissionSelection;
  onChange: (value: PermissionSelection) => void;
  /** A key for someone else: what is beyond them says so (my* are then what both of us hold). */
  owner?: KeyOwner;
};

/** Checkboxes per catalog group (with select-all) and field rights per person field, never beyond the user's own. */
export function PermissionPicker({ catalog, apiType, myPermissions, myFieldRights, value, onChange, owner }: Props) {
  const chosen = new Set(value.permissions);
  const toggle = (names: string[], on: boolean) => {
    const next = new Set(chosen);
    for (const n of names) {
      if (on) next.add(n);
      else next.delete(n);
    }
    onChange({ ...value, permissions: catalogOrder(catalog, next) });
  };
  const setRight = (field: string, right: FieldRight) => {
    const next: Record<string, FieldRight> = { ...(value.fieldRights as Record<string, FieldRight>) };
    if (right === 'NONE') delete next[field];
    else next[field] = right;
    onChange({ ...value, fieldRights: next });
  };

  const availableIn = (group: Group) =>
    group.permissions.filter((p) => !whyUnavailable(p.name, apiType, myPermissions, owner)).map((p) => p.name);
  // What matters first: the groups this key can use; the others fold into one line that says why.
  const usable = catalog.groups.filter((g) => availableIn(g).length > 0);
  const unusable = catalog.groups.filter((g) => availableIn(g).length === 0);

  const item = (p: Group['permissions'][number]) => {
    const why = whyUnavailable(p.name, apiType, myPermissions, owner);
    const noteId = `perm-note-${p.name.replace(':', '-')}`;
    return (
      <li key={p.name} className={why ? 'perm perm--disabled' : 'perm'}>
        <label>
          <input
            type="checkbox"
            name="permission"
            value={p.name}
            checked={!why && chosen.has(p.name)}
            disabled={Boolean(why)}
            aria-describedby={why ? noteId : undefined}
            onChange={(e) => toggle([p.name], e.target.checked)}
          />
          <span className="perm__title">{p.title}</span> <code className="perm__name">{p.name}</code>
        </label>
        {why && (
          <span id={noteId} className="perm__note">
            {why}
          </span>
        )}
      </li>
    );
  };

  return (
    <div className="permission-picker">
      <h3>Permissions</h3>
      {usable.length === 0 && <p className="perm-group__note">No permission of this API type is yours to give.</p>}
      {usable.map((group) => {
        const reads = group.permissions.filter((p) => !isWrite(p.name));
        const writes = group.permissions.filter((p) => isWrite(p.name));
        return (
          <fieldset key={group.resource} className="perm-group">
            <legend>{group.title}</legend>
            <SelectAll
              label={`Select all ${group.title}`}
              names={availableIn(group)}
              chosen={chosen}
              onChange={toggle}
            />
            {reads.length > 0 && <ul className="perm-list">{reads.map(item)}</ul>}
            {writes.length > 0 && (
              <div className="perm-writes">
                <p className="perm-writes__title">
                  <strong>Write permissions</strong>{' '}
                  <span className="muted">the key can create, change or delete {group.title.toLowerCase()}</span>
                </p>
                <ul className="perm-list">{writes.map(item)}</ul>
              </div>
            )}
          </fieldset>
        );
      })}
      {unusable.length > 0 && (
        <details className="perm-unavailable">
          <summary>
            {unusable.length} more {unusable.length === 1 ? 'group is' : 'groups are'} not available for this key (
            {unusable.map((g) => g.title).join(', ')})
          </summary>
          {unusable.map((group) => (
            <fieldset key={group.resource} className="perm-group" disabled>
              <legend>{group.title}</legend>
              <ul className="perm-list">{group.permissions.map(item)}</ul>
            </fieldset>
          ))}
        </details>
      )}
      {usesFieldRights(apiType) && (
        <fieldset className="perm-group">
          <legend>Field rights on people records</legend>
          <p className="perm-group__note">
            What the key may see or change in each field, up to {owner ? `${owner.name}’s and your` : 'your own'}{' '}
            rights.
          </p>
          <div className="field-rights">
            {catalog.fields.map((field) => {
              const mine = rightOf(myFieldRights, field.name);
              const id = `field-right-${field.name}`;
              return (
                <div key={field.name} className="field-right">
                  <label htmlFor={id}>
                    {field.title}
                    {field.sensitive && <span className="tag tag--sensitive">Sensitive</span>}
                  </label>
                  <select
                    id={id}
                    value={rightOf(value.fieldRights, field.name)}
                    onChange={(e) => setRight(field.name, e.target.value as FieldRight)}
                  >
                    {FIELD_RIGHTS.map((r) => (
                      <option key={r} value={r} disabled={exceeds(r, mine)}>
                        {RIGHT_LABELS[r]}
                        {owner && exceeds(r, rightOf(owner.fieldRights, field.name))
                          ? ` (beyond ${owner.name}’s rights)`
                          : exceeds(r, mine)
                            ? ' (beyond your rights)'
                            : ''}
                      </option>
                    ))}
                  </select>
                </div>
              );
            })}
          </div>
        </fieldset>
      )}
    </div>
  );
}

type Group = PermissionCatalog['groups'][number];

/** Permissions that change data (people:create, people:update, people:delete …), shown apart from the reads. */
export function isWrite(permission: string): boolean {
  const action = permission.split(':')[1] ?? '';
  return !['read', 'list', 'view'].includes(action);
}

function catalogOrder(catalog: PermissionCatalog, chosen: Set<string>): string[] {
  return catalog.groups.flatMap((g) => g.permissions.map((p) => p.name)).filter((n) => chosen.has(n));
}
