import { Link } from 'react-router';
import { EmptyState, ErrorBox, LoadMore, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { listMyKeys } from '@/features/api-keys/api/keys';
import { KeyRestrictions } from '@/features/api-keys/components/KeyRestrictions';
import { RateLimitLabel } from '@/features/api-keys/components/RateLimitLabel';
import { api, unwrap } from '@/lib/api-client';
import { formatDate, formatDateTime, statusLabel } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import { useCursorPages } from '@/lib/use-cursor-pages';

export function ApiKeysPage() {
  const keys = useCursorPages(listMyKeys, []);
  const lookups = useAsync(async (signal) => {
    const [types, partners, policies] = await Promise.all([
      api.GET('/api/v1/api-types', { signal }).then(unwrap),
      api.GET('/api/v1/partners', { signal }).then(unwrap),
      // only for the rate limits' defaults: without them the list still shows everything else
      api
        .GET('/api/v1/organization/policies', { signal })
        .then(unwrap)
        .catch(() => undefined),
    ]);
    return {
      apiType: new Map(types.items.map((t) => [t.name, t])),
      partnerName: new Map(partners.items.map((p) => [p.id, p.name])),
      policies,
    };
  }, []);

  const add = (
    <Link to="/api-keys/new" className="button button--primary">
      Create key
    </Link>
  );

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="API Keys" actions={add}>
        Keys you own. Each secret was shown once, when the key was created.
      </PageHeader>
      {keys.loading ? (
        <Loading label="Loading your keys…" />
      ) : keys.error ? (
        <ErrorBox error={keys.error} onRetry={keys.reload} />
      ) : keys.items.length === 0 ? (
        <EmptyState title="You have no API keys yet">
          <p>Create a key for an integration or a partner; you choose exactly what it may do.</p>
          <p>{add}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Your API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">API type</th>
                <th scope="col">Partner</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Rate limit</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.items.map((k) => (
                <tr key={k.id}>
                  <td data-label="Name">
                    <div>
                      <strong>{k.name}</strong>
                      {k.description && <div className="muted small">{k.description}</div>}
                    </div>
                  </td>
                  <td data-label="Key">
                    {k.credentialKind === 'OAUTH_CLIENT' && <span className="small muted">OAuth client </span>}
                    <code>{k.hint}…</code>
                  </td>
                  <td data-label="API type">{lookups.data?.apiType.get(k.apiType)?.title ?? k.apiType}</td>
                  <td data-label="Partner">
                    {k.partnerId ? (lookups.data?.partnerName.get(k.partnerId) ?? '—') : '—'}
                  </td>
                  <td data-label="Created">{formatDate(k.createdAt)}</td>
                  <td data-label="Last used">{formatDateTime(k.lastUsedAt, 'Never')}</td>
                  <td data-label="Expires">{formatDate(k.expiresAt, 'Never')}</td>
                  <td data-label="Rate limit">
                    <RateLimitLabel
                      apiKey={k}
                      apiType={lookups.data?.apiType.get(k.apiType)}
                      policies={lookups.data?.policies}
                    />
                  </td>
                  <td data-label="Status">
                    <StatusPill status={k.status} label={statusLabel(k.status)} />
                    <KeyRestrictions apiKey={k} compact />
                    {k.status === 'ACTIVE' &&
                      k.permissionMode === 'SCOPED' &&
                      k.permissions.length === 0 &&
                      Object.keys(k.fieldRights).length === 0 && (
                        <div className="small">
                          <Link to={`/api-keys/${k.id}/edit`}>No permissions yet: it can do nothing</Link>
                        </div>
                      )}
                    {k.previousSecretValidUntil && (
                      <div className="small muted">
                        Old secret works until {formatDateTime(k.previousSecretValidUntil)}
                      </div>
                    )}
                  </td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      <Link
                        to={`/api-keys/${k.id}/edit`}
                        className="button button--small"
                        aria-label={`${k.status === 'REVOKED' ? 'View' : 'Edit'} ${k.name}`}
                      >
                        {k.status === 'REVOKED' ? 'View' : 'Edit'}
                      </Link>
                      <Link
                        to={`/api-keys/${k.id}/usage`}
                        className="button button--small"
                        aria-label={`Usage of ${k.name}`}
                      >
                        Usage
                      </Link>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={keys.hasMore} error={keys.moreError} onLoad={() => void keys.loadMore()} />
    </section>
  );
}
