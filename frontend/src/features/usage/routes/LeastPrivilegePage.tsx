import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { getOrganizationLeastPrivilege } from '@/features/usage/api/least-privilege';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The organization's least-privilege report (/least-privilege): every active key with permissions it never used. */
export function LeastPrivilegePage() {
  const me = useMe();
  if (!hasPermission(me, 'keys:manage-all')) {
    return (
      <section className="page" aria-labelledby="page-title">
        <PageHeader title="Unused permissions" />
        <EmptyState title="Not available" icon="🔒">
          <p>
            The organization’s report needs the “Manage ALL organization API credentials” permission. Each of your own
            keys shows the permissions it uses on its page under <Link to="/api-keys">API Keys</Link>.
          </p>
        </EmptyState>
      </section>
    );
  }
  return <Report />;
}

function Report() {
  const [days, setDays] = useState(30);
  const report = useAsync((signal) => getOrganizationLeastPrivilege(days, signal), [days]);
  const r = report.data;
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="Unused permissions"
        actions={
          <Link to="/usage" className="button">
            Usage
          </Link>
        }
      >
        Permissions the organization’s active keys were granted and did not use, from the usage the server meters.
        Nothing changes here: open a key to try a smaller set or reduce it.
      </PageHeader>
      <label>
        Window{' '}
        <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Window">
          {[7, 30, 90].map((d) => (
            <option key={d} value={d}>
              Last {d} days
            </option>
          ))}
        </select>
      </label>
      {report.loading && !r ? (
        <Loading label="Reading the keys’ usage…" />
      ) : report.error || !r ? (
        <ErrorBox error={report.error} onRetry={report.reload} />
      ) : (
        <>
          <p role="status" className="least-privilege__headline">
            {r.keysWithUnusedPermissions === 0
              ? `All ${r.keysAnalysed} active keys used every permission they have in the last ${r.days} days.`
              : `${plural(r.keysWithUnusedPermissions, 'key has', 'keys have')} rights ${r.keysWithUnusedPermissions === 1 ? 'it never uses' : 'they never use'} (${plural(r.unusedPermissions, 'unused permission')} over ${plural(r.keysAnalysed, 'active key')}, last ${r.days} days).`}
          </p>
          {r.keys.length > 0 && (
            <table>
              <caption>Keys with unused permissions, most first</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Unused</th>
                  <th scope="col">Used</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Last used</th>
                </tr>
              </thead>
              <tbody>
                {r.keys.map((k) => (
                  <tr key={k.keyId}>
                    <td>
                      <Link to={`/api-keys/${k.keyId}/edit`}>{k.name}</Link>
                    </td>
                    <td>{k.owner.name}</td>
                    <td>{k.unusedPermissions.join(', ')}</td>
                    <td>{k.suggestedPermissions.join(', ') || 'none'}</td>
                    <td>{k.requests}</td>
                    <td>{formatDateTime(k.lastUsedAt, 'Never in the window')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {r.truncated && <p className="hint">Only the first {r.keys.length} keys are listed.</p>}
        </>
      )}
    </section>
  );
}
