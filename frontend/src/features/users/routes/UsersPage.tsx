import { useState, type FormEvent } from 'react';
import { EmptyState, ErrorBox, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { Field, FormError } from '@/components/ui/Field';
import { SecretField } from '@/components/ui/SecretField';
import { api, errorMessage, unwrap, type Schemas } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDate, formatDateTime, statusLabel } from '@/lib/format';
import { useFormErrors } from '@/lib/form-errors';
import { useAsync } from '@/lib/use-async';

type User = Schemas['User'];
const FIELDS = ['firstName', 'lastName', 'email', 'kind', 'accessLevelId'] as const;

export function UsersPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'users:manage');
  const users = useAsync(async (signal) => unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 200 } }, signal })), []);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string>();

  const setStatus = async (user: User, action: 'deactivate' | 'reactivate') => {
    setError(undefined);
    try {
      const opts = { params: { path: { userId: user.id } } };
      if (action === 'deactivate') unwrap(await api.POST('/api/v1/users/{userId}/deactivate', opts));
      else unwrap(await api.POST('/api/v1/users/{userId}/reactivate', opts));
      users.reload();
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
            <button type="button" className="button button--primary" onClick={() => setAdding(true)}>
              + Add user
            </button>
          ) : undefined
        }
      >
        Employees and non-employee users (for integrations). Deactivating a user stops every key they own at once.
      </PageHeader>
      {adding && <AddUser onClose={() => setAdding(false)} onAdded={users.reload} />}
      <FormError message={error} />
      {users.loading ? (
        <Loading />
      ) : users.error ? (
        <ErrorBox error={users.error} onRetry={users.reload} />
      ) : users.data!.items.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <div className="table-wrap">
          <table className="table">
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
                      {u.firstName} {u.lastName}
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
                      <button
                        type="button"
                        className="button button--small"
                        aria-label={`${u.status === 'ACTIVE' ? 'Deactivate' : 'Reactivate'} ${u.firstName} ${u.lastName}`}
                        onClick={() => setStatus(u, u.status === 'ACTIVE' ? 'deactivate' : 'reactivate')}
                      >
                        {u.status === 'ACTIVE' ? 'Deactivate' : 'Reactivate'}
                      </button>
                    )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AddUser({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const levels = useAsync(async (signal) => unwrap(await api.GET('/api/v1/access-levels', { signal })).items, []);
  const [v, setV] = useState({ firstName: '', lastName: '', email: '', kind: 'NON_EMPLOYEE' as 'EMPLOYEE' | 'NON_EMPLOYEE', accessLevelId: '' });
  const [link, setLink] = useState<{ url: string; expiresAt: string }>();
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);
  const set = (name: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setV((x) => ({ ...x, [name]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const { accessLevelId, ...rest } = v;
      const created = unwrap(await api.POST('/api/v1/users', { body: { ...rest, ...(accessLevelId ? { accessLevelId } : {}) } }));
      setLink(created.invitation);
      onAdded();
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  if (link) {
    return (
      <div className="card">
        <h2>Invitation link</h2>
        <p>Pass this one-time link to the user; it is valid until {formatDateTime(link.expiresAt)}.</p>
        <SecretField label="Invitation link" secret={link.url} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    );
  }
  return (
    <form className="card form" onSubmit={submit} aria-label="Add user">
      <h2>Add user</h2>
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
      <div className="form__row">
        <Field label="Kind" error={errors.fieldErrors.kind}>
          {(p) => (
            <select {...p} value={v.kind} onChange={set('kind')}>
              <option value="NON_EMPLOYEE">Non-employee (integration)</option>
              <option value="EMPLOYEE">Employee</option>
            </select>
          )}
        </Field>
        <Field label="Access level" error={errors.fieldErrors.accessLevelId}>
          {(p) => (
            <select {...p} value={v.accessLevelId} onChange={set('accessLevelId')}>
              <option value="">Employee (default)</option>
              {levels.data?.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={busy}>
          Add user
        </button>
      </div>
    </form>
  );
}
