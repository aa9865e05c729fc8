import { Link } from 'react-router';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { listAccessLevels } from '@/features/access-levels/api/access-levels';
import { hasPermission, useMe } from '@/lib/auth';
import { useAsync } from '@/lib/use-async';

export function AccessLevelsPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'access-levels:manage');
  const levels = useAsync((signal) => listAccessLevels(signal), []);
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="Access levels"
        actions={
          canManage ? (
            <Link className="button button--primary" to="/settings/access-levels/new">
              + New access level
            </Link>
          ) : undefined
        }
      >
        What each level may do: operation permissions, records reached and field rights.
      </PageHeader>
      {levels.loading ? (
        <Loading />
      ) : levels.error ? (
        <ErrorBox error={levels.error} onRetry={levels.reload} />
      ) : levels.data!.length === 0 ? (
        <EmptyState title="No access levels" />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Access levels</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Records</th>
                <th scope="col">Permissions</th>
                <th scope="col">Fields visible</th>
                <th scope="col">Users</th>
              </tr>
            </thead>
            <tbody>
              {levels.data!.map((l) => (
                <tr key={l.id}>
                  <td data-label="Name">
                    <div>
                      <Link to={`/settings/access-levels/${l.id}`}>
                        <strong>{l.name}</strong>
                      </Link>{' '}
                      {l.builtin && <span className="tag">Built-in</span>}
                      {l.description && <div className="muted small">{l.description}</div>}
                    </div>
                  </td>
                  <td data-label="Records">{l.recordScope === 'ALL' ? 'All' : 'Own only'}</td>
                  <td data-label="Permissions">{l.permissions.length}</td>
                  <td data-label="Fields visible">{Object.values(l.fieldRights).filter((r) => r !== 'NONE').length}</td>
                  <td data-label="Users">{l.userCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
