import { useState } from 'react';
import { EmptyState, ErrorBox, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { FormError } from '@/components/ui/Field';
import {
  issuePasswordReset,
  listAccessLevels,
  listUsers,
  resetSecondFactors,
  setUserStatus,
  type Link,
  type User,
  type UserKind,
} from '@/features/users/api/users';
import { OneTimeLink } from '@/features/users/components/OneTimeLink';
import {
  AddUser,
  addUserDraftId,
  ChangeAccessLevel,
  DeactivateUser,
  fullName,
  ResetSecondFactors,
} from '@/features/users/components/UserForms';
import { loadDraft } from '@/lib/drafts';
import { errorMessage } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDate, statusLabel } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import '@/features/users/users.css';

export function UsersPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'users:manage');
  const canReadLevels = hasPermission(me, 'access-levels:read');
  const users = useAsync((signal) => listUsers(signal), []);
  const levels = useAsync(
    (signal) => (canReadLevels ? listAccessLevels(signal) : Promise.resolve([])),
    [canReadLevels],
  );
  // A draft kept through an expired session reopens its form (lib/drafts).
  const [adding, setAdding] = useState<UserKind | undefined>(() =>
    (['NON_EMPLOYEE', 'EMPLOYEE'] as const).find((k) => canManage && loadDraft(addUserDraftId(k))),
  );
  const [reset, setReset] = useState<{ user: User; link: Link }>();
  const [changing, setChanging] = useState<User>();
  const [deactivating, setDeactivating] = useState<User>();
  const [resettingFactors, setResettingFactors] = useState<User>();
  const [notice, setNotice] = useState<string>();
  const canSeeAllKeys = hasPermission(me, 'keys:manage-all');
  const [error, setError] = useState<string>();

  const setStatus = async (user: User, action: 'deactivate' | 'reactivate') => {
    setError(undefined);
    setNotice(undefined);
    try {
      await setUserStatus(user.id, action);
      setNotice(action === 'deactivate' ? `${fullName(user)} was deactivated.` : `${fullName(user)} was reactivated.`);
      users.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const resetFactors = async (user: User) => {
    setError(undefined);
    setNotice(undefined);
    try {
      // A step-up refusal opens the step-up prompt and the reset goes on once confirmed (lib/api-client).
      await resetSecondFactors(user.id);
      setNotice(`${fullName(user)} has no second factor now: they set one up again at their next sign-in.`);
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
                Add a non-employee user
              </button>
              <button type="button" className="button" onClick={() => setAdding('EMPLOYEE')}>
                Add an employee
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
          {reset.user.hasPassword ? (
            <>
              <h2 id="reset-title">Password reset for {fullName(reset.user)}</h2>
              <p>Pass this one-time link to {reset.user.firstName}: it lets them set a new password and sign in.</p>
              <OneTimeLink label="Password-reset link" link={reset.link} />
            </>
          ) : (
            <>
              <h2 id="reset-title">New invitation for {fullName(reset.user)}</h2>
              <p>Pass this one-time link to {reset.user.firstName}: it lets them set a password and sign in.</p>
              <OneTimeLink label="Invitation link" link={reset.link} />
            </>
          )}
          <div className="actions">
            <button type="button" className="button" onClick={() => setReset(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      <FormError message={error} />
      {notice && (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      )}
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
                  <td data-label="Name">{fullName(u)}</td>
                  <td data-label="E-mail">
                    <Email value={u.email} />
                  </td>
                  <td data-label="Kind">{u.kind === 'EMPLOYEE' ? 'Employee' : 'Non-employee'}</td>
                  <td data-label="Access level">{u.accessLevel.name}</td>
                  <td data-label="Added">{formatDate(u.createdAt)}</td>
                  <td data-label="Status">
                    {u.status === 'ACTIVE' && !u.hasPassword ? (
                      <StatusPill status="INVITED" label="Invitation pending" />
                    ) : (
                      <StatusPill status={u.status} label={statusLabel(u.status)} />
                    )}
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
                              aria-label={
                                u.hasPassword
                                  ? `Reset password of ${fullName(u)}`
                                  : `Resend invitation to ${fullName(u)}`
                              }
                              onClick={() => resetPassword(u)}
                            >
                              {u.hasPassword ? 'Reset password' : 'Resend invitation'}
                            </button>
                          )}
                          {u.hasPassword && (
                            <button
                              type="button"
                              className="button button--small"
                              aria-label={`Reset second factors of ${fullName(u)}`}
                              onClick={() => setResettingFactors(u)}
                            >
                              Reset second factors
                            </button>
                          )}
                          <button
                            type="button"
                            className="button button--small"
                            aria-label={`${u.status === 'ACTIVE' ? 'Deactivate' : 'Reactivate'} ${fullName(u)}`}
                            onClick={() => (u.status === 'ACTIVE' ? setDeactivating(u) : setStatus(u, 'reactivate'))}
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
      {deactivating && (
        <DeactivateUser
          user={deactivating}
          countKeys={canSeeAllKeys}
          onClose={() => setDeactivating(undefined)}
          onConfirm={async () => {
            await setStatus(deactivating, 'deactivate');
            setDeactivating(undefined);
          }}
        />
      )}
      {resettingFactors && (
        <ResetSecondFactors
          user={resettingFactors}
          onClose={() => setResettingFactors(undefined)}
          onConfirm={async () => {
            // The dialog closes first: the step-up prompt may open over the page.
            setResettingFactors(undefined);
            await resetFactors(resettingFactors);
          }}
        />
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

/** An e-mail address that wraps only before its @ and dots, never inside a word. */
function Email({ value }: { value: string }) {
  const parts = value.split(/(?=[@.])/);
  return (
    <span className="email">
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && <wbr />}
          {p}
        </span>
      ))}
    </span>
  );
}
