import { useState } from 'react';
import { EmptyState, ErrorBox, LoadMore, Loading, PageHeader } from '@/components/ui/Feedback';
import { Field } from '@/components/ui/Field';
import { api, unwrap } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import { useCursorPages } from '@/lib/use-cursor-pages';

// The actions the server records, for the filter (the API filters by exact action).
const ACTIONS = [
  'access-level.created',
  'access-level.deleted',
  'access-level.updated',
  'api-key.created',
  'api-key.disabled',
  'api-key.enabled',
  'api-key.revoked',
  'api-key.rotated',
  'api-key.transferred',
  'api-key.updated',
  'api-key.used-from-new-address',
  'organization.created',
  'partner.created',
  'person.created',
  'person.deleted',
  'person.updated',
  'policy.changed',
  'session.sign-in-failed',
  'session.signed-in',
  'session.signed-out',
  'user.created',
  'user.deactivated',
  'user.invitation-accepted',
  'user.password-reset',
  'user.password-reset-issued',
  'user.reactivated',
  'user.updated',
];

type Filters = { action: string; actorUserId: string };

export function AuditPage() {
  const me = useMe();
  const [filters, setFilters] = useState<Filters>({ action: '', actorUserId: '' });
  const query = (after?: string) => ({
    limit: 50,
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.actorUserId ? { actorUserId: filters.actorUserId } : {}),
    ...(after ? { after } : {}),
  });
  const users = useAsync(
    async (signal) =>
      hasPermission(me, 'users:read')
        ? unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 200 } }, signal })).items
        : [],
    [me.user.id],
  );
  const events = useCursorPages(
    async (after, signal) => unwrap(await api.GET('/api/v1/audit-events', { params: { query: query(after) }, signal })),
    [filters.action, filters.actorUserId],
  );
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Audit log">Every security-relevant action, newest first.</PageHeader>
      <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <Field label="Action">
          {(p) => (
            <select
              {...p}
              value={filters.action}
              onChange={(e) => setFilters((f) => ({ ...f, action: e.target.value }))}
            >
              <option value="">Any</option>
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        {(users.data?.length ?? 0) > 0 && (
          <Field label="Who">
            {(p) => (
              <select
                {...p}
                value={filters.actorUserId}
                onChange={(e) => setFilters((f) => ({ ...f, actorUserId: e.target.value }))}
              >
                <option value="">Anyone</option>
                {users.data!.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.firstName} {u.lastName} ({u.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </form>
      {events.loading ? (
        <Loading />
      ) : events.error ? (
        <ErrorBox error={events.error} onRetry={events.reload} />
      ) : events.items.length === 0 ? (
        <EmptyState
          title={filters.action || filters.actorUserId ? 'No events match these filters' : 'Nothing recorded yet'}
          icon="✎"
        />
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
              {events.items.map((e) => (
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
      <LoadMore hasMore={events.hasMore} error={events.moreError} onLoad={() => void events.loadMore()} />
    </section>
  );
}
