import { useId, useState, type FormEvent } from 'react';
import { Field, FormActions, FormError } from '@/components/ui/Field';
import {
  createPartner,
  type FieldRight,
  type Partner,
  type PartnerWrite,
  type PermissionCatalog,
} from '@/features/partners/api/partners';
import { RIGHT_LABELS } from '@/lib/field-rights';
import { useFormErrors } from '@/lib/form-errors';

const FIELDS = ['name', 'website', 'contact', 'usualPermissions', 'usualFieldRights'] as const;

export function AddPartner({
  catalog,
  onClose,
  onAdded,
}: {
  catalog: PermissionCatalog;
  onClose: () => void;
  onAdded: (p: Partner) => void;
}) {
  const [v, setV] = useState({ name: '', website: '', contact: '' });
  const [permissions, setPermissions] = useState<string[]>([]);
  const [rights, setRights] = useState<Record<string, FieldRight>>({});
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);
  const headingId = useId();
  const set = (name: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setV((x) => ({ ...x, [name]: e.target.value }));
  const toggle = (name: string, on: boolean) => {
    const next = new Set(permissions);
    if (on) next.add(name);
    else next.delete(name);
    setPermissions(catalog.groups.flatMap((g) => g.permissions.map((p) => p.name)).filter((n) => next.has(n)));
  };
  const setRight = (field: string, right: FieldRight) =>
    setRights((r) => {
      const next = { ...r };
      if (right === 'NONE') delete next[field];
      else next[field] = right;
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!v.name.trim()) {
      errors.setFieldErrors({ name: 'Give the partner a name.' });
      return;
    }
    const body: PartnerWrite = {
      name: v.name.trim(),
      usualPermissions: permissions,
      usualFieldRights: rights,
      ...(v.website.trim() ? { website: v.website.trim() } : {}),
      ...(v.contact.trim() ? { contact: v.contact.trim() } : {}),
    };
    setBusy(true);
    try {
      onAdded(await createPartner(body));
    } catch (err) {
      errors.show(err);
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={headingId} noValidate>
      <h2 id={headingId}>Add partner</h2>
      <FormError message={errors.formError} />
      <Field label="Name" required error={errors.fieldErrors.name}>
        {(p) => <input {...p} value={v.name} maxLength={200} onChange={set('name')} autoFocus />}
      </Field>
      <div className="form__row">
        <Field label="Website" error={errors.fieldErrors.website} hint="Starting with https://">
          {(p) => (
            <input
              {...p}
              type="url"
              inputMode="url"
              value={v.website}
              maxLength={300}
              placeholder="https://"
              onChange={set('website')}
            />
          )}
        </Field>
        <Field
          label="Contact"
          error={errors.fieldErrors.contact}
          hint="Who to reach there, for example an e-mail address."
        >
          {(p) => <input {...p} value={v.contact} maxLength={300} onChange={set('contact')} />}
        </Field>
      </div>
      <fieldset className={errors.fieldErrors.usualPermissions ? 'field field--invalid' : 'field'}>
        <legend className="field__label">Usual permissions</legend>
        <p className="field__hint">
          Pre-selected when someone creates a key for this partner (never beyond their own access).
        </p>
        <div className="partners__groups">
          {catalog.groups.map((group) => (
            <fieldset key={group.resource} className="perm-group">
              <legend>{group.title}</legend>
              <ul className="perm-list">
                {group.permissions.map((p) => (
                  <li key={p.name} className="perm">
                    <label>
                      <input
                        type="checkbox"
                        name="usualPermission"
                        value={p.name}
                        checked={permissions.includes(p.name)}
                        onChange={(e) => toggle(p.name, e.target.checked)}
                      />
                      <span className="perm__title">{p.title}</span> <code className="perm__name">{p.name}</code>
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          ))}
        </div>
        {errors.fieldErrors.usualPermissions && (
          <p className="field__error" role="alert">
            {errors.fieldErrors.usualPermissions}
          </p>
        )}
      </fieldset>
      <fieldset
        className={errors.fieldErrors.usualFieldRights ? 'field field--invalid perm-group' : 'field perm-group'}
      >
        <legend>Usual field rights on people records</legend>
        <div className="field-rights">
          {catalog.fields.map((field) => {
            const id = `partner-right-${field.name}`;
            return (
              <div key={field.name} className="field-right">
                <label htmlFor={id}>
                  {field.title}
                  {field.sensitive && <span className="tag tag--sensitive">Sensitive</span>}
                </label>
                <select
                  id={id}
                  value={rights[field.name] ?? 'NONE'}
                  onChange={(e) => setRight(field.name, e.target.value as FieldRight)}
                >
                  {(['NONE', 'VIEW', 'EDIT'] as const).map((r) => (
                    <option key={r} value={r}>
                      {RIGHT_LABELS[r]}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
        </div>
        {errors.fieldErrors.usualFieldRights && (
          <p className="field__error" role="alert">
            {errors.fieldErrors.usualFieldRights}
          </p>
        )}
      </fieldset>
      <FormActions busy={busy} label="Add partner" busyLabel="Adding…" onCancel={onClose} />
    </form>
  );
}
