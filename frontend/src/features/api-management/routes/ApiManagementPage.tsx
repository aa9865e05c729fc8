import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import '@/features/api-management/routes/key-links.css';
import { EmptyState, ErrorBox, LoadMore, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { Field } from '@/components/ui/Field';
import {
  bulkChange,
  exportUrl,
  filtersFromSearch,
  filtersToQuery,
  keyActions,
  listOrgKeys,
  loadLookups,
  type ApiKey,
  type BulkAction,
  type KeyFilters,
  type KeySort,
} from '@/features/api-management/api/org-keys';
import {
  BulkDialog,
  bulkDoneWord,
  RevokeDialog,
  RotateDialog,
  TransferDialog,
} from '@/features/api-management/components/KeyDialogs';
import { keyBadges } from '@/features/api-management/lib/key-badges';
import { RateLimitLabel } from '@/features/api-keys/components/RateLimitLabel';
import { loadPolicies } from '@/features/policies/api/policies';
import { errorMessage } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDate, formatDateTime, statusLabel } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import { useCursorPages } from '@/lib/use-cursor-pages';

const STATUSES = ['ACTIVE', 'DISABLED', 'OWNER_INACTIVE', 'EXPIRED', 'REVOKED', 'PENDING_APPROVAL'] as const;
type Dialog = { kind: 'rotate' | 'revoke' | 'transfer'; key: ApiKey } | { kind: 'bulk'; action: BulkAction };

export function ApiManagementPage() {
  const me = useMe();
  if (!hasPermission(me, 'keys:manage-all')) {
    return (
      <section className="page" aria-labelledby="page-title">
        <PageHeader title="API Management" />
        <EmptyState title="Not available" icon="🔒">
          <p>
            Managing all of the organization’s API credentials needs the “Manage ALL organization API credentials”
            permission.
          </p>
        </EmptyState>
      </section>
    );
  }
  return (
    <ApiManagement
      canListUsers={hasPermission(me, 'users:read')}
      canReadLevels={hasPermission(me, 'access-levels:read')}
      canCreate={hasPermission(me, 'keys:create-own') || hasPermission(me, 'keys:manage-all')}
    />
  );
}

const SORT_LABELS: Record<KeySort, string> = {
  name: 'Name',
  createdAt: 'Created',
  lastUsedAt: 'Last used',
  expiresAt: 'Expires',
};

function ApiManagement({
  canListUsers,
  canReadLevels,
  canCreate,
}: {
  canListUsers: boolean;
  canReadLevels: boolean;
  canCreate: boolean;
}) {
  // The filters and the order live in the address, so a view can be shared, bookmarked and reloaded.
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const filterKey = JSON.stringify(filters);
  const setFilters = (change: (f: KeyFilters) => KeyFilters) =>
    setParams((current) => filtersToQuery(change(filtersFromSearch(current))), { replace: true });
  const [q, setQ] = useState(filters.q);
  const lookups = useAsync((signal) => loadLookups(canListUsers, canReadLevels, signal), [canListUsers, canReadLevels]);
  const keys = useCursorPages((after, signal) => listOrgKeys(filters, after, signal), [filterKey]);
  // the organization's "unused for N days" (the reminders' window; 90 until the policies have loaded)
  const policies = useAsync((signal) => loadPolicies(signal), []);
  const unusedKeyDays = policies.data?.unusedKeyDays ?? 90;
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string; details?: string[] }>();
  const [selected, setSelected] = useState<{ filters: string; ids: Set<string> }>({
    filters: filterKey,
    ids: new Set(),
  });
  // A selection belongs to the list it was made in: other filters, nothing selected.
  const chosen = selected.filters === filterKey ? selected.ids : new Set<string>();
  const setChosen = (ids: Set<string>) => setSelected({ filters: filterKey, ids });

  // The search box reaches the address 300 ms after typing stops. Nothing is scheduled while it already matches:
  // a no-op update would replay the search params of its render and undo a filter changed in the meantime.
  useEffect(() => {
    if (q.trim() === filters.q) return;
    const t = window.setTimeout(
      () => setParams((current) => filtersToQuery({ ...filtersFromSearch(current), q: q.trim() }), { replace: true }),
      300,
    );
    return () => window.clearTimeout(t);
  }, [q, filters.q, setParams]);

  const setFilter = (name: keyof KeyFilters) => (e: React.ChangeEvent<HTMLSelectElement>) =>
    setFilters((f) => ({ ...f, [name]: e.target.value }));
  const sortBy = (sort: KeySort) =>
    setFilters((f) => ({ ...f, sort, order: f.sort === sort && f.order === 'asc' ? 'desc' : 'asc' }));
  const replace = (key: ApiKey) => keys.update((list) => list.map((k) => (k.id === key.id ? key : k)));
  const done = (text: string) => setNotice({ kind: 'ok', text });
  const selectable = keys.items.filter((k) => k.status !== 'REVOKED');
  const chosenKeys = keys.items.filter((k) => chosen.has(k.id));
  const toggleOne = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  const runBulk = async (action: BulkAction) => {
    const results = await bulkChange(
      action,
      chosenKeys.map((k) => k.id),
    );
    const byId = new Map(chosenKeys.map((k) => [k.id, k]));
    const changed = results.filter((r) => r.ok && r.key);
    keys.update((list) => list.map((k) => changed.find((r) => r.key?.id === k.id)?.key ?? k));
    const failed = results.filter((r) => !r.ok);
    const n = changed.length;
    const text = `${n} ${n === 1 ? 'key' : 'keys'} ${bulkDoneWord(action)}.`;
    setChosen(new Set(failed.map((r) => r.keyId)));
    setNotice({
      kind: failed.length ? 'error' : 'ok',
      text: failed.length ? `${text} ${failed.length} could not be changed (still selected):` : text,
      details: failed.map(
        (r) => `“${byId.get(r.keyId)?.name ?? r.keyId}”: ${r.problem?.detail ?? r.problem?.title ?? 'not changed'}`,
      ),
    });
  };
  const toggle = async (key: ApiKey) => {
    try {
      const updated = key.status === 'DISABLED' ? await keyActions.enable(key.id) : await keyActions.disable(key.id);
      replace(updated);
      setNotice({ kind: 'ok', text: `“${key.name}” is now ${statusLabel(updated.status).toLowerCase()}.` });
    } catch (e) {
      setNotice({ kind: 'error', text: errorMessage(e) });
    }
  };

  const typeTitle = new Map(lookups.data?.apiTypes.map((t) => [t.name, t.title]));
  const apiTypeOf = new Map(lookups.data?.apiTypes.map((t) => [t.name, t]));
  const partnerName = new Map(lookups.data?.partners.map((p) => [p.id, p.name]));
  const owners = lookups.data?.users ?? [];

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="API Management"
        actions={
          <>
            <a className="button" href={exportUrl(filters)} download>
              Export CSV
            </a>
            {canCreate && (
              <Link to="/api-keys/new?from=management" className="button button--primary">
                Create key
              </Link>
            )}
          </>
        }
      >
        Every API key of the organization: who owns it, when it was last used, and its state.
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter keys" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search">
          {(p) => (
            <input
              {...p}
              type="search"
              placeholder="Name or key hint"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          )}
        </Field>
        {owners.length > 0 && (
          <Field label="Owner">
            {(p) => (
              <select {...p} value={filters.ownerUserId} onChange={setFilter('ownerUserId')}>
                <option value="">Anyone</option>
                {owners.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.firstName} {u.lastName}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Status">
          {(p) => (
            <select {...p} value={filters.status} onChange={setFilter('status')}>
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Partner">
          {(p) => (
            <select {...p} value={filters.partnerId} onChange={setFilter('partnerId')}>
              <option value="">Any</option>
              {lookups.data?.partners.map((partner) => (
                <option key={partner.id} value={partner.id}>
                  {partner.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="API type">
          {(p) => (
            <select {...p} value={filters.apiType} onChange={setFilter('apiType')}>
              <option value="">Any</option>
              {lookups.data?.apiTypes.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.title}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      {notice && (
        <div
          className={notice.kind === 'ok' ? 'alert alert--success' : 'alert alert--error'}
          role={notice.kind === 'ok' ? 'status' : 'alert'}
        >
          {notice.text}
          {notice.details && notice.details.length > 0 && (
            <ul>
              {notice.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {chosen.size > 0 && (
        <div className="bulk-bar" role="region" aria-label="Selected keys">
          <span>
            <strong>{chosen.size}</strong> selected
          </span>
          <button
            type="button"
            className="button button--small"
            onClick={() => setDialog({ kind: 'bulk', action: 'DISABLE' })}
          >
            Disable selected
          </button>
          <button
            type="button"
            className="button button--small"
            onClick={() => setDialog({ kind: 'bulk', action: 'ENABLE' })}
          >
            Enable selected
          </button>
          <button
            type="button"
            className="button button--small button--danger"
            onClick={() => setDialog({ kind: 'bulk', action: 'REVOKE' })}
          >
            Revoke selected
          </button>
          <button type="button" className="button button--small" onClick={() => setChosen(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      {keys.loading && keys.items.length === 0 ? (
        <Loading label="Loading keys…" />
      ) : keys.error ? (
        <ErrorBox error={keys.error} onRetry={keys.reload} />
      ) : keys.items.length === 0 ? (
        <EmptyState title="No keys match">
          <p>Keys appear here as soon as anyone in the organization creates one.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-busy={keys.loading}>
            <caption className="visually-hidden">Organization API keys</caption>
            <thead>
              <tr>
                <th scope="col" className="select-cell">
                  <input
                    type="checkbox"
                    aria-label="Select all keys shown"
                    checked={selectable.length > 0 && selectable.every((k) => chosen.has(k.id))}
                    onChange={(e) => setChosen(new Set(e.target.checked ? selectable.map((k) => k.id) : []))}
                  />
                </th>
                <SortHeader sort="name" filters={filters} onSort={sortBy} />
                <th scope="col">Owner</th>
                <th scope="col">API type</th>
                <th scope="col">Partner</th>
                <SortHeader sort="createdAt" filters={filters} onSort={sortBy} />
                <SortHeader sort="lastUsedAt" filters={filters} onSort={sortBy} />
                <SortHeader sort="expiresAt" filters={filters} onSort={sortBy} />
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.items.map((k) => (
                <tr key={k.id}>
                  <td className="select-cell">
                    {k.status !== 'REVOKED' && (
                      <input
                        type="checkbox"
                        aria-label={`Select ${k.name}`}
                        checked={chosen.has(k.id)}
                        onChange={(e) => toggleOne(k.id, e.target.checked)}
                      />
                    )}
                  </td>
                  <td data-label="Name">
                    <div>
                      <strong>{k.name}</strong>
                      <div>
                        <span className="small muted">
                          {k.credentialKind === 'OAUTH_CLIENT' ? 'OAuth client' : 'API key'}
                        </span>{' '}
                        <code className="small">{k.hint}…</code>
                      </div>
                      {/* Going to the key's pages sits with its name; the actions column keeps the state changes. */}
                      <div className="small key-links">
                        <Link
                          to={`/api-keys/${k.id}/edit`}
                          aria-label={`${k.status === 'REVOKED' ? 'View' : 'Edit'} ${k.name}`}
                        >
                          {k.status === 'REVOKED' ? 'View' : 'Edit'}
                        </Link>
                        <Link to={`/api-keys/${k.id}/usage`} aria-label={`Usage of ${k.name}`}>
                          Usage
                        </Link>
                      </div>
                    </div>
                  </td>
                  <td data-label="Owner">{k.owner.name}</td>
                  <td data-label="API type">
                    {typeTitle.get(k.apiType) ?? k.apiType}
                    {/* a compact line, not a column: the table is already at its width */}
                    <RateLimitLabel apiKey={k} apiType={apiTypeOf.get(k.apiType)} policies={policies.data} compact />
                  </td>
                  <td data-label="Partner">{k.partnerId ? (partnerName.get(k.partnerId) ?? '—') : '—'}</td>
                  <td data-label="Created">{formatDate(k.createdAt)}</td>
                  <td data-label="Last used">{formatDateTime(k.lastUsedAt, 'Never')}</td>
                  <td data-label="Expires">{formatDate(k.expiresAt, 'Never')}</td>
                  <td data-label="Status">
                    <StatusPill status={k.status} label={statusLabel(k.status)} />
                    <KeyBadges badges={keyBadges(k, unusedKeyDays)} />
                  </td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      {(k.status === 'ACTIVE' || k.status === 'DISABLED') && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => toggle(k)}
                          aria-label={`${k.status === 'DISABLED' ? 'Enable' : 'Disable'} ${k.name}`}
                        >
                          {k.status === 'DISABLED' ? 'Enable' : 'Disable'}
                        </button>
                      )}
                      {k.status === 'ACTIVE' && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => setDialog({ kind: 'rotate', key: k })}
                          aria-label={`Rotate ${k.name}`}
                        >
                          Rotate
                        </button>
                      )}
                      {k.status !== 'REVOKED' && owners.length > 0 && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => setDialog({ kind: 'transfer', key: k })}
                          aria-label={`Transfer ${k.name}`}
                        >
                          Transfer
                        </button>
                      )}
                      {k.status !== 'REVOKED' && (
                        <button
                          type="button"
                          className="button button--small button--danger"
                          onClick={() => setDialog({ kind: 'revoke', key: k })}
                          aria-label={`Revoke ${k.name}`}
                        >
                          Revoke
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
      <LoadMore hasMore={keys.hasMore} error={keys.moreError} onLoad={() => void keys.loadMore()} />
      {dialog?.kind === 'rotate' && (
        <RotateDialog apiKey={dialog.key} onClose={() => setDialog(undefined)} onChanged={replace} onDone={done} />
      )}
      {dialog?.kind === 'revoke' && (
        <RevokeDialog apiKey={dialog.key} onClose={() => setDialog(undefined)} onChanged={replace} onDone={done} />
      )}
      {dialog?.kind === 'transfer' && (
        <TransferDialog
          apiKey={dialog.key}
          users={owners}
          levels={lookups.data?.levels ?? []}
          onClose={() => setDialog(undefined)}
          onChanged={replace}
          onDone={done}
        />
      )}
      {dialog?.kind === 'bulk' && (
        <BulkDialog
          action={dialog.action}
          keys={chosenKeys}
          onClose={() => setDialog(undefined)}
          onConfirm={() => runBulk(dialog.action)}
        />
      )}
    </section>
  );
}

/** A column header that sorts the list by its column; a second click reverses the order. */
function SortHeader({ sort, filters, onSort }: { sort: KeySort; filters: KeyFilters; onSort: (s: KeySort) => void }) {
  const active = filters.sort === sort;
  const label = SORT_LABELS[sort];
  return (
    <th scope="col" aria-sort={active ? (filters.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(sort)}>
        {label}
        <span aria-hidden="true">{active ? (filters.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
        <span className="visually-hidden">
          {active ? `, sorted ${filters.order === 'asc' ? 'ascending' : 'descending'}` : ', sort'}
        </span>
      </button>
    </th>
  );
}

function KeyBadges({ badges }: { badges: ReturnType<typeof keyBadges> }) {
  if (badges.length === 0) return null;
  return (
    <ul className="key-badges" aria-label="Warnings">
      {badges.map((b) => (
        <li key={b.kind} className={`key-badge key-badge--${b.kind}`} title={b.title}>
          {b.label}
        </li>
      ))}
    </ul>
  );
}
