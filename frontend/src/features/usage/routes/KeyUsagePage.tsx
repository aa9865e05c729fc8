import { Link, useParams } from 'react-router';
import { ErrorBox, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { getKey, getKeyUsage } from '@/features/usage/api/usage';
import { UsageView, useRange } from '@/features/usage/components/UsageView';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDateTime, statusLabel } from '@/lib/format';
import { useAsync } from '@/lib/use-async';

/** One key's usage (/api-keys/:keyId/usage), for its owner or anyone who manages all keys. */
export function KeyUsagePage() {
  const { keyId = '' } = useParams();
  const me = useMe();
  const [range, setRange] = useRange();
  const key = useAsync((signal) => getKey(keyId, signal), [keyId]);
  const usage = useAsync((signal) => getKeyUsage(keyId, range, signal), [keyId, range.id]);
  const back = hasPermission(me, 'keys:manage-all')
    ? { to: '/usage', label: 'Organization usage' }
    : { to: '/api-keys', label: 'API Keys' };

  return (
    <section className="page" aria-labelledby="page-title">
      <nav aria-label="Breadcrumb" className="usage-breadcrumb">
        <Link to={back.to}>← {back.label}</Link>
      </nav>
      {key.loading && !key.data ? (
        <Loading label="Loading the key…" />
      ) : key.error ? (
        <>
          <PageHeader title="Key usage" />
          <ErrorBox error={key.error} onRetry={key.reload} />
        </>
      ) : (
        <>
          <PageHeader title={`Usage of “${key.data!.name}”`}>
            <span className="usage-key-meta">
              <StatusPill status={key.data!.status} label={statusLabel(key.data!.status)} />
              <code>{key.data!.hint}…</code>
              <span>Owner: {key.data!.owner.name}</span>
              <span>Last used: {formatDateTime(key.data!.lastUsedAt, 'never')}</span>
            </span>
          </PageHeader>
          <UsageView
            usage={usage}
            range={range}
            onRange={setRange}
            subject="this key’s"
            empty={
              <p>
                Calls made with this key appear here within about a minute — see the{' '}
                <a href="/docs/">API docs at /docs/</a> for how to send it (HTTP Basic or Bearer).
              </p>
            }
          />
        </>
      )}
    </section>
  );
}
