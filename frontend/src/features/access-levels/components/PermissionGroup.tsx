import { SelectAll } from '@/components/ui/SelectAll';
import type { CatalogGroup } from '@/features/access-levels/api/access-levels';
import { NOT_YOURS } from '@/features/access-levels/components/rights';

type Props = {
  group: CatalogGroup;
  /** Overrides the group's title in the legend (the developer section). */
  legend?: string;
  chosen: ReadonlySet<string>;
  myPermissions: readonly string[];
  readOnly: boolean;
  onToggle: (names: string[], on: boolean) => void;
};

/** The checkboxes of one catalog group with a select-all over what the editor holds; the rest disabled with a reason. */
export function PermissionGroup({ group, legend, chosen, myPermissions, readOnly, onToggle }: Props) {
  const title = legend ?? group.title;
  const grantable = group.permissions.filter((p) => myPermissions.includes(p.name)).map((p) => p.name);
  return (
    <fieldset className="perm-group">
      <legend>{title}</legend>
      {!readOnly &&
        (grantable.length > 0 ? (
          <SelectAll label={`Select all ${title}`} names={grantable} chosen={chosen} onChange={onToggle} />
        ) : (
          <p className="perm-group__note">None of these can be granted by you.</p>
        ))}
      <ul className="perm-list">
        {group.permissions.map((p) => {
          const notMine = !myPermissions.includes(p.name);
          // Beyond the editor's own: never added, but removable when the level already has it.
          const locked = readOnly || (notMine && !chosen.has(p.name));
          const noteId = `perm-note-${p.name.replace(/[^a-z-]/g, '-')}`;
          return (
            <li key={p.name} className={notMine && !readOnly ? 'perm perm--disabled' : 'perm'}>
              <label>
                <input
                  type="checkbox"
                  name="permission"
                  value={p.name}
                  checked={chosen.has(p.name)}
                  disabled={locked}
                  aria-describedby={notMine && !readOnly ? noteId : undefined}
                  onChange={(e) => onToggle([p.name], e.target.checked)}
                />
                <span>
                  <span className="perm__title">{p.title}</span> <code className="perm__name">{p.name}</code>
                </span>
              </label>
              {notMine && !readOnly && (
                <span id={noteId} className="perm__note">
                  {NOT_YOURS}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
