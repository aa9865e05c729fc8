import { useSearchParams } from 'react-router';
import { EmptyState, ErrorBox, LoadMore, Loading, PageHeader } from '@/components/ui/Feedback';
import { Field } from '@/components/ui/Field';
import { AuditSentence } from '@/features/audit/components/AuditSentence';
import {
  apiQuery,
  exportHref,
  filtersOf,
  isFiltered,
  rangeError,
  type AuditFilters,
} from '@/features/audit/api/filters';
import { ACTION_LABELS, ACTIONS, TARGET_LABELS, TARGET_TYPES } from '@/features/audit/api/sentences';
import { api, unwrap } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import { useCursorPages } from '@/lib/use-cursor-pages';
import './audit.css';

export function AuditPage() {
  const me = useMe();
  // every filter lives in the address: back/forward step through them, a reload or a shared link keeps them
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const invalidRange = rangeError(filters);
  const set = (change: Partial<AuditFilters>) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      for (const [k, v] of Object.entries(change)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      return next;
    });
  const users = useAsync(
    async (signal) =>
      hasPermission(me, 'users:read')
        ? unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 200 } }, signal })).items
        : [],
    [me.user.id],
  );
  const query = apiQuery(filters);
  const events = useCursorPages(
    async (after, signal) =>
      invalidRange
        ? { items: [] }
        : unwrap(
            await api.GET('/api/v1/audit-events', {
              params: { query: { limit: 50, ...query, ...(after ? { after } : {}) } },
              signal,
            }),
          ),
    [JSON.stringify(query), invalidRange],
  );
  const targetName = filters.targetId
    ? (events.items.find((e) => e.targetId === filters.targetId)?.targetName ?? 'one object')
    : undefined;
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="Audit log"
        actions={
          <a className="button" href={exportHref(filters)} download>
            Export CSV
          </a>
        }
      >
        Every security-relevant action, newest first.
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        {(users.data?.length ?? 0) > 0 && (
          <Field label="Who">
            {(p) => (
              <select {...p} value={filters.actorUserId} onChange={(e) => set({ actorUserId: e.target.value })}>
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
        <Field label="Action">
          {(p) => (
            <select
              {...p}
              value={filters.action}
              onChange={(e) => set({ action: e.target.value as AuditFilters['action'] })}
            >
              <option value="">Any</option>
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {ACTION_LABELS[a]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Target">
          {(p) => (
            <select
              {...p}
              value={filters.targetType}
              onChange={(e) => set({ targetType: e.target.value as AuditFilters['targetType'], targetId: '' })}
            >
              <option value="">Anything</option>
              {TARGET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TARGET_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From" error={invalidRange}>
          {(p) => <input {...p} type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />}
        </Field>
        <Field label="To">
          {(p) => <input {...p} type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />}
        </Field>
      </form>
      {filters.targetId && (
        <p className="audit-scope">
          Only events about {targetName}.{' '}
          <button type="button" className="button button--link" onClick={() => set({ targetId: '', targetType: '' })}>
            Show all targets
          </button>
        </p>
      )}
      {events.loading ? (
        <Loading />
      ) : events.error ? (
        <ErrorBox error={events.error} onRetry={events.reload} />
      ) : events.items.length === 0 ? (
        <EmptyState title={isFiltered(filters) ? 'No events match these filters' : 'Nothing recorded yet'} icon="✎" />
      ) : (
        <ol className="audit-list" aria-label="Audit events">
          {events.items.map((e) => (
            <li key={e.id} className="audit-list__item">
              <time dateTime={e.occurredAt} className="audit-list__when">
                {formatDateTime(e.occurredAt)}
              </time>
              <p className="audit-list__what">
                <AuditSentence event={e} />
              </p>
            </li>
          ))}
        </ol>
      )}
      <LoadMore hasMore={events.hasMore} error={events.moreError} onLoad={() => void events.loadMore()} />
    </section>
  );
}
