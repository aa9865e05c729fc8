import { useState, type FormEvent } from 'react';
import { ErrorBox, Loading } from '@/components/ui/Feedback';
import { Field, FormActions, FormError } from '@/components/ui/Field';
import { Modal } from '@/components/ui/Modal';
import {
  changeAccessLevel,
  createUser,
  whyNotAssignable,
  type AccessLevel,
  type Link,
  type User,
  type UserKind,
} from '@/features/users/api/users';
import { OneTimeLink } from '@/features/users/components/OneTimeLink';
import { errorMessage } from '@/lib/api-client';
import type { Me } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import type { AsyncState } from '@/lib/use-async';

const FIELDS = ['firstName', 'lastName', 'email', 'kind', 'accessLevelId'] as const;
export const fullName = (u: User) => `${u.firstName} ${u.lastName}`;

export function LevelOptions({ levels, me }: { levels: AccessLevel[]; me: Me }) {
  return (
    <>
      {levels.map((l) => {
        const why = whyNotAssignable(l, me);
        return (
          <option key={l.id} value={l.id} disabled={Boolean(why)}>
            {l.name}
            {why ? ` (${why})` : ''}
          </option>
        );
      })}
    </>
  );
}

export function AddUser({
  kind,
  me,
  levels,
  onClose,
  onAdded,
}: {
  kind: UserKind;
  me: Me;
  levels: AsyncState<AccessLevel[]>;
  onClose: () => void;
  onAdded: () => void;
}) {
  const [v, setV] = useState({ firstName: '', lastName: '', email: '', accessLevelId: '' });
  const [invited, setInvited] = useState<{ user: User; link: Link }>();
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);
  const set = (name: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setV((x) => ({ ...x, [name]: e.target.value }));
  const title = kind === 'NON_EMPLOYEE' ? 'Add a Non-Employee User' : 'Add an employee';
  const employeeLevel = levels.data?.find((l) => l.builtin === 'EMPLOYEE');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const { accessLevelId, ...rest } = v;
      const created = await createUser({ ...rest, kind, ...(accessLevelId ? { accessLevelId } : {}) });
      setInvited({ user: created.user, link: created.invitation });
      onAdded();
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  if (invited) {
    return (
      <div className="card" role="region" aria-labelledby="invitation-title">
        <h2 id="invitation-title">Invitation for {fullName(invited.user)}</h2>
        <p>Pass this one-time link to {invited.user.firstName}: it lets them set a password and sign in.</p>
        <OneTimeLink label="Invitation link" link={invited.link} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    );
  }
  return (
    <form className="card form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      {kind === 'NON_EMPLOYEE' && (
        <p className="muted small">
          A user for an integration or a partner: give it an access level with only what its keys need.
        </p>
      )}
      <FormError message={errors.formError} />
      <div className="form__row">
        <Field label="First name" required error={errors.fieldErrors.firstName}>
          {(p) => <input {...p} value={v.firstName} onChange={set('firstName')} />}
        </Field>
        <Field label="Last name" required error={errors.fieldErrors.lastName}>
          {(p) => <input {...p} value={v.lastName} onChange={set('lastName')} />}
        </Field>
      </div>
      <Field label="E-mail" required error={errors.fieldErrors.email}>
        {(p) => <input {...p} type="email" value={v.email} onChange={set('email')} />}
      </Field>
      {levels.data && levels.data.length > 0 && (
        <Field
          label="Access level"
          error={errors.fieldErrors.accessLevelId}
          hint="Levels beyond your own rights cannot be given."
        >
          {(p) => (
            <select {...p} value={v.accessLevelId} onChange={set('accessLevelId')}>
              <option value="">{employeeLevel ? `${employeeLevel.name} (default)` : 'Employee (default)'}</option>
              <LevelOptions levels={levels.data!.filter((l) => l.id !== employeeLevel?.id)} me={me} />
            </select>
          )}
        </Field>
      )}
      <FormActions busy={busy} label="Add user" busyLabel="Adding…" onCancel={onClose} />
    </form>
  );
}

export function ChangeAccessLevel({
  user,
  me,
  levels,
  onClose,
  onChanged,
}: {
  user: User;
  me: Me;
  levels: AsyncState<AccessLevel[]>;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [accessLevelId, setAccessLevelId] = useState(user.accessLevel.id);
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(['accessLevelId']);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      await changeAccessLevel(user.id, accessLevelId);
      onChanged();
    } catch (err) {
      // Every refusal here concerns the chosen level: show it next to the choice.
      errors.setFieldErrors({ accessLevelId: errorMessage(err) });
      setBusy(false);
    }
  };
  return (
    <Modal title={`Access level of ${fullName(user)}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        {levels.loading ? (
          <Loading />
        ) : levels.error ? (
          <ErrorBox error={levels.error} onRetry={levels.reload} />
        ) : (
          <Field
            label="Access level"
            error={errors.fieldErrors.accessLevelId}
            hint="Takes effect on their next request; their keys follow."
          >
            {(p) => (
              <select {...p} value={accessLevelId} onChange={(e) => setAccessLevelId(e.target.value)}>
                <LevelOptions levels={levels.data!} me={me} />
              </select>
            )}
          </Field>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || accessLevelId === user.accessLevel.id}
          >
            Change access level
          </button>
        </div>
      </form>
    </Modal>
  );
}
