import { useEffect, useRef } from 'react';
import type { ApiType, FieldRight, FieldRights, PermissionCatalog } from '@/features/api-keys/api/keys';
import {
  exceeds,
  FIELD_RIGHTS,
  rightOf,
  usesFieldRights,
  whyUnavailable,
} from '@/features/api-keys/components/permissions';
import '@/features/api-keys/components/permission-picker.css';

export type PermissionSelection = { permissions: string[]; fieldRights: FieldRights };

type Props = {
  catalog: PermissionCatalog;
  apiType: ApiType | undefined;
  myPermissions: readonly string[];
  myFieldRights: FieldRights;
  value: PermissionSelection;
  onChange: (value: PermissionSelection) => void;
};

const RIGHT_LABELS: Record<FieldRight, string> = { NONE: 'None', VIEW: 'View', EDIT: 'Edit' };

/** Checkboxes per catalog group (with select-all) and field rights per person field, never beyond the user's own. */
export function PermissionPicker({ catalog, apiType, myPermissions, myFieldRights, value, onChange }: Props) {
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
    onChange({ ...value, fieldRights: next as FieldRights });
  };

  return (
    <div className="permission-picker">
      <h3>Permissions</h3>
      {catalog.groups.map((group) => {
        const available = group.permissions
          .filter((p) => !whyUnavailable(p.name, apiType, myPermissions))
          .map((p) => p.name);
        return (
          <fieldset key={group.resource} className="perm-group">
            <legend>{group.title}</legend>
            {available.length > 0 ? (
              <SelectAll
                label={`Select all ${group.title}`}
                checked={available.every((n) => chosen.has(n))}
                mixed={available.some((n) => chosen.has(n)) && !available.every((n) => chosen.has(n))}
                onChange={(on) => toggle(available, on)}
              />
            ) : (
              <p className="perm-group__note">Not available for this key.</p>
            )}
            <ul className="perm-list">
              {group.permissions.map((p) => {
                const why = whyUnavailable(p.name, apiType, myPermissions);
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
              })}
            </ul>
          </fieldset>
        );
      })}
      {usesFieldRights(apiType) && (
        <fieldset className="perm-group">
          <legend>Field rights on people records</legend>
          <p className="perm-group__note">What the key may see or change in each field, up to your own rights.</p>
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
                        {exceeds(r, mine) ? ' (beyond your rights)' : ''}
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

function SelectAll({
  label,
  checked,
  mixed,
  onChange,
}: {
  label: string;
  checked: boolean;
  mixed: boolean;
  onChange: (on: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = mixed;
  }, [mixed]);
  return (
    <label className="select-all">
      <input ref={ref} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

function catalogOrder(catalog: PermissionCatalog, chosen: Set<string>): string[] {
  return catalog.groups.flatMap((g) => g.permissions.map((p) => p.name)).filter((n) => chosen.has(n));
}
