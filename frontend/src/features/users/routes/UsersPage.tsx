import { useState, type FormEvent } from 'react';
import { EmptyState, ErrorBox, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { Field, FormError } from '@/components/ui/Field';
import { Modal } from '@/components/ui/Modal';
import {
  changeAccessLevel,
  createUser,
  issuePasswordReset,
  listAccessLevels,
  listUsers,
  setUserStatus,
  whyNotAssignable,
  type AccessLevel,
  type Link,
  type User,
  type UserKind,
} from '@/features/users/api/users';
import { OneTimeLink } from '@/features/users/components/OneTimeLink';
import { errorMessage } from '@/lib/api-client';
import { hasPermission, useMe, type Me } from '@/lib/auth';
import { formatDate, statusLabel } from '@/lib/format';
import { useFormErrors } from '@/lib/form-errors';
import { useAsync, type AsyncState } from '@/lib/use-async';
import '@/features/users/users.css';

const FIELDS = ['firstName', 'lastName', 'email', 'kind', 'accessLevelId'] as const;
const fullName = (u: User) => `${u.firstName} ${u.lastName}`;

export function UsersPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'users:manage');
  const canReadLevels = hasPermission(me, 'access-levels:read');
  const users = useAsync((signal) => listUsers(signal), []);
  const levels = useAsync(
    (signal) => (canReadLevels ? listAccessLevels(signal) : Promise.resolve([])),
    [canReadLevels],
  );
  const [adding, setAdding] = useState<UserKind>();
  const [reset, setReset] = useState<{ user: User; link: Link }>();
  const [changing, setChanging] = useState<User>();
  const [error, setError] = useState<string>();

  const setStatus = async (user: User, action: 'deactivate' | 'reactivate') => {
    setError(undefined);
    try {
      await setUserStatus(user.id, action);
      users.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const resetPassword = async (user: User) => {
    setError(undefined);
    setReset(undefined);
    try {
      setReset({ user, link: await issuePasswordReset(user.id) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="Users"
        actions={
          canManage && !adding ? (
            <div className="users-header-actions">
              <button type="button" className="button button--primary" onClick={() => setAdding('NON_EMPLOYEE')}>
                + Add a Non-Employee User
              </button>
              <button type="button" className="button" onClick={() => setAdding('EMPLOYEE')}>
                + Add an employee
              </button>
            </div>
          ) : undefined
        }
      >
        Employees and non-employee users (for integrations). Deactivating a user stops every key they own at once.
      </PageHeader>
      {adding && (
        <AddUser
          key={adding}
          kind={adding}
          me={me}
          levels={levels}
          onClose={() => setAdding(undefined)}
          onAdded={users.reload}
        />
      )}
      {reset && (
        <div className="card" role="region" aria-labelledby="reset-title">
          <h2 id="reset-title">Password reset for {fullName(reset.user)}</h2>
          <p>Pass this one-time link to {reset.user.firstName}: it lets them set a new password and sign in.</p>
          <OneTimeLink label="Password-reset link" link={reset.link} />
          <div className="actions">
            <button type="button" className="button" onClick={() => setReset(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      <FormError message={error} />
      {users.loading ? (
        <Loading />
      ) : users.error ? (
        <ErrorBox error={users.error} onRetry={users.reload} />
      ) : users.data!.items.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <div className="table-wrap">
          <table className="table users-table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Kind</th>
                <th scope="col">Access level</th>
                <th scope="col">Added</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data!.items.map((u) => (
                <tr key={u.id}>
                  <td data-label="Name">
                    <div>
                      {fullName(u)}
                      {!u.hasPassword && <div className="muted small">Invitation pending</div>}
                    </div>
                  </td>
                  <td data-label="E-mail">{u.email}</td>
                  <td data-label="Kind">{u.kind === 'EMPLOYEE' ? 'Employee' : 'Non-employee'}</td>
                  <td data-label="Access level">{u.accessLevel.name}</td>
                  <td data-label="Added">{formatDate(u.createdAt)}</td>
                  <td data-label="Status">
                    <StatusPill status={u.status} label={statusLabel(u.status)} />
                  </td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      {canManage && u.id !== me.user.id && (
                        <>
                          {canReadLevels && (
                            <button
                              type="button"
                              className="button button--small"
                              aria-label={`Change access level of ${fullName(u)}`}
                              onClick={() => setChanging(u)}
                            >
                              Access level
                            </button>
                          )}
                          {u.status === 'ACTIVE' && (
                            <button
                              type="button"
                              className="button button--small"
                              aria-label={`Reset password of ${fullName(u)}`}
                              onClick={() => resetPassword(u)}
                            >
                              Reset password
                            </button>
                          )}
                          <button
                            type="button"
                            className="button button--small"
                            aria-label={`${u.status === 'ACTIVE' ? 'Deactivate' : 'Reactivate'} ${fullName(u)}`}
                            onClick={() => setStatus(u, u.status === 'ACTIVE' ? 'deactivate' : 'reactivate')}
                          >
                            {u.status === 'ACTIVE' ? 'Deactivate' : 'Reactivate'}
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {changing && (
        <ChangeAccessLevel
          user={changing}
          me={me}
          levels={levels}
          onClose={() => setChanging(undefined)}
          onChanged={() => {
            setChanging(undefined);
            users.reload();
          }}
        />
      )}
    </section>
  );
}

function LevelOptions({ levels, me }: { levels: AccessLevel[]; me: Me }) {
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

function AddUser({
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
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add user'}
        </button>
      </div>
    </form>
  );
}

function ChangeAccessLevel({
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
