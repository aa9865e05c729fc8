import { useEffect, useState } from 'react';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { api, errorMessage, unwrap, type Schemas } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';

type AuditEvent = Schemas['AuditEvent'];

export function AuditPage() {
  const first = useAsync(async (signal) => unwrap(await api.GET('/api/v1/audit-events', { params: { query: { limit: 50 } }, signal })), []);
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string>();
  const [moreError, setMoreError] = useState<string>();
  useEffect(() => {
    if (first.data) {
      setItems(first.data.items);
      setNext(first.data.next);
    }
  }, [first.data]);
  const loadMore = async () => {
    try {
      const page = unwrap(await api.GET('/api/v1/audit-events', { params: { query: { limit: 50, after: next } } }));
      setItems((i) => [...i, ...page.items]);
      setNext(page.next);
    } catch (e) {
      setMoreError(errorMessage(e));
    }
  };
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Audit log">Every security-relevant action, newest first.</PageHeader>
      {first.loading ? (
        <Loading />
      ) : first.error ? (
        <ErrorBox error={first.error} onRetry={first.reload} />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing recorded yet" icon="✎" />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Audit events</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td data-label="When">{formatDateTime(e.occurredAt)}</td>
                  <td data-label="Who">{e.actorLabel ?? e.actorUserId ?? '—'}</td>
                  <td data-label="Action">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="Target">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</td>
                  <td data-label="From">{e.sourceAddress ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError && <p className="alert alert--error">{moreError}</p>}
      {next && (
        <p>
          <button type="button" className="button" onClick={loadMore}>
            Load more
          </button>
        </p>
      )}
    </section>
  );
}
