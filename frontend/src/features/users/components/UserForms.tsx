import { useEffect, useState, type FormEvent } from 'react';
import { ErrorBox, Loading } from '@/components/ui/Feedback';
import { ErrorSummary, Field, FormActions } from '@/components/ui/Field';
import { ConfirmModal, Modal } from '@/components/ui/Modal';
import {
  changeAccessLevel,
  countActiveKeys,
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
import { clearDraft, loadDraft, useDraft } from '@/lib/drafts';
import { useFormErrors } from '@/lib/form-errors';
import type { AsyncState } from '@/lib/use-async';

const FIELDS = ['firstName', 'lastName', 'email', 'kind', 'accessLevelId'] as const;
export const fullName = (u: User) => `${u.firstName} ${u.lastName}`;

/** The sessionStorage draft of the add-user form of a kind: it survives an expired session (lib/drafts). */
export const addUserDraftId = (kind: UserKind) => `users.add.${kind}`;

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

const empty = { firstName: '', lastName: '', email: '', accessLevelId: '' };

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
  const draftId = addUserDraftId(kind);
  const [restored] = useState(() => loadDraft<typeof empty>(draftId));
  const [v, setV] = useState({ ...empty, ...restored });
  useDraft(draftId, v);
  const [invited, setInvited] = useState<{ user: User; link: Link }>();
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);
  const set = (name: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setV((x) => ({ ...x, [name]: e.target.value }));
  const title = kind === 'NON_EMPLOYEE' ? 'Add a non-employee user' : 'Add an employee';
  const employeeLevel = levels.data?.find((l) => l.builtin === 'EMPLOYEE');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const { accessLevelId, ...rest } = v;
      const created = await createUser({ ...rest, kind, ...(accessLevelId ? { accessLevelId } : {}) });
      clearDraft(draftId);
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
      {restored && (
        <p className="alert alert--info" role="status">
          Restored what you typed before: check it and add the user.
        </p>
      )}
      <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
      <div className="form__row">
        <Field label="First name" name="firstName" required error={errors.fieldErrors.firstName}>
          {(p) => <input {...p} value={v.firstName} onChange={set('firstName')} />}
        </Field>
        <Field label="Last name" name="lastName" required error={errors.fieldErrors.lastName}>
          {(p) => <input {...p} value={v.lastName} onChange={set('lastName')} />}
        </Field>
      </div>
      <Field label="E-mail" name="email" required error={errors.fieldErrors.email}>
        {(p) => <input {...p} type="email" value={v.email} onChange={set('email')} />}
      </Field>
      {levels.data && levels.data.length > 0 && kind === 'EMPLOYEE' && (
        <Field
          label="Access level"
          name="accessLevelId"
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
      {levels.data && levels.data.length > 0 && kind === 'NON_EMPLOYEE' && (
        // An integration's user gets no level by default: the Employee level would grant far more than its keys need.
        <Field
          label="Access level"
          name="accessLevelId"
          error={errors.fieldErrors.accessLevelId}
          hint="Choose one with only what its keys need. Levels beyond your own rights cannot be given."
        >
          {(p) => (
            <select {...p} required value={v.accessLevelId} onChange={set('accessLevelId')}>
              <option value="" disabled>
                Choose an access level
              </option>
              <LevelOptions levels={levels.data!} me={me} />
            </select>
          )}
        </Field>
      )}
      <FormActions
        busy={busy}
        label="Add user"
        busyLabel="Adding…"
        onCancel={() => {
          clearDraft(draftId);
          onClose();
        }}
      />
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
            name="accessLevelId"
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

type KeyCount = { count: number; atLeast: boolean };

/**
 * Asks before deactivating a user, naming how many of their keys stop at once (when the caller may see them).
 * `countKeys` is false when the caller may not list the organization's keys: the dialog then says so in general.
 */
export function DeactivateUser({
  user,
  countKeys,
  onClose,
  onConfirm,
}: {
  user: User;
  countKeys: boolean;
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const [keys, setKeys] = useState<KeyCount | 'unknown'>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!countKeys) return;
    const controller = new AbortController();
    countActiveKeys(user.id, controller.signal).then(
      (k) => setKeys(k),
      () => !controller.signal.aborted && setKeys('unknown'),
    );
    return () => controller.abort();
  }, [countKeys, user.id]);

  const name = fullName(user);
  const stops =
    !countKeys || keys === 'unknown'
      ? `Every API key ${user.firstName} owns stops working at once.`
      : keys === undefined
        ? undefined
        : keys.count === 0
          ? `${user.firstName} owns no active API key.`
          : `${keys.atLeast ? 'More than ' : ''}${keys.count.toLocaleString()} active API ${keys.count === 1 && !keys.atLeast ? 'key stops' : 'keys stop'} working at once.`;
  return (
    <Modal title={`Deactivate ${name}?`} onClose={onClose}>
      <p>{name} will be signed out everywhere and can no longer sign in.</p>
      {stops === undefined ? <Loading label="Counting their API keys…" /> : <p className="deactivate__keys">{stops}</p>}
      <p className="muted small">
        Reactivating {user.firstName} later turns their keys back on, unless an admin revoked or transferred them.
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger-solid"
          disabled={busy || stops === undefined}
          onClick={() => {
            setBusy(true);
            void onConfirm().finally(() => setBusy(false));
          }}
        >
          {busy ? 'Deactivating…' : `Deactivate ${user.firstName}`}
        </button>
      </div>
    </Modal>
  );
}

/** Asks before resetting a user's second factors (a lost phone): they set one up again at their next sign-in. */
export function ResetSecondFactors({
  user,
  onClose,
  onConfirm,
}: {
  user: User;
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const name = fullName(user);
  return (
    <ConfirmModal
      title={`Reset the second factors of ${name}?`}
      onClose={onClose}
      onConfirm={onConfirm}
      confirmLabel="Reset second factors"
      busyLabel="Resetting…"
    >
      <p>
        {name}&apos;s authenticator app, recovery codes and passkeys are removed. If the organization requires a second
        factor of {user.firstName}, they must set one up again at their next sign-in.
      </p>
      <p className="muted small">
        Do this only once you are sure it is {user.firstName} asking, for example after a lost phone.
      </p>
    </ConfirmModal>
  );
}
