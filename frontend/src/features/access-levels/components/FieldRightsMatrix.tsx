import type { FieldRight, FieldRights, PermissionCatalog } from '@/features/access-levels/api/access-levels';
import { NOT_YOURS } from '@/features/access-levels/components/rights';
import { atMost, exceeds, FIELD_RIGHTS, RIGHT_LABELS, rightOf } from '@/lib/field-rights';

type Props = {
  fields: PermissionCatalog['fields'];
  value: Record<string, FieldRight>;
  /** The editor's own field rights: nothing above them can be granted. */
  mine: FieldRights;
  /** The field a refusal from the server names (`fieldRights.<field>`): its row is marked and points to the message. */
  refused?: string;
  refusedErrorId?: string;
  readOnly: boolean;
  onChange: (next: Record<string, FieldRight>) => void;
};

/** One row per person field with NONE / VIEW / EDIT radios, and a "set all" per column; never above the editor's own. */
export function FieldRightsMatrix({ fields, value, mine, refused, refusedErrorId, readOnly, onChange }: Props) {
  const set = (field: string, right: FieldRight) => onChange({ ...value, [field]: right });
  const setAll = (right: FieldRight) =>
    onChange(Object.fromEntries(fields.map((f) => [f.name, atMost(right, rightOf(mine, f.name))])));

  return (
    <table className="rights-matrix">
      <caption className="visually-hidden">Field rights on people records</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          {FIELD_RIGHTS.map((r) => (
            <th key={r} scope="col">
              <span className="rights-matrix__right">{RIGHT_LABELS[r]}</span>
              {!readOnly && (
                <button
                  type="button"
                  className="button button--link rights-matrix__all"
                  aria-label={`Set all fields to ${RIGHT_LABELS[r]}`}
                  onClick={() => setAll(r)}
                >
                  Set all
                </button>
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => {
          const own = rightOf(mine, field.name);
          const current = rightOf(value, field.name);
          const beyond = FIELD_RIGHTS.filter((r) => exceeds(r, own));
          const noteId = `field-note-${field.name}`;
          const isRefused = refused === field.name;
          const rowClass = [
            exceeds(current, own) && 'rights-matrix__row--excess',
            isRefused && 'rights-matrix__row--refused',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <tr key={field.name} className={rowClass || undefined}>
              <th scope="row">
                <span>
                  {field.title}
                  {field.sensitive && <span className="tag tag--sensitive">Sensitive</span>}
                </span>
                {beyond.length > 0 && !readOnly && (
                  <span id={noteId} className="perm__note rights-matrix__note">
                    {beyond.map((r) => RIGHT_LABELS[r]).join(', ')}: {NOT_YOURS}
                  </span>
                )}
              </th>
              {FIELD_RIGHTS.map((r) => {
                const notMine = exceeds(r, own);
                const describedBy =
                  [notMine && !readOnly && noteId, isRefused && refusedErrorId].filter(Boolean).join(' ') || undefined;
                return (
                  <td key={r} data-label={RIGHT_LABELS[r]}>
                    <input
                      type="radio"
                      name={`field-right-${field.name}`}
                      value={r}
                      aria-label={`${field.title}: ${RIGHT_LABELS[r]}`}
                      checked={current === r}
                      disabled={readOnly || notMine}
                      title={notMine && !readOnly ? NOT_YOURS : undefined}
                      aria-describedby={describedBy}
                      onChange={() => set(field.name, r)}
                    />
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
