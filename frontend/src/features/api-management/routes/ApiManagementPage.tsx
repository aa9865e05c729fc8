import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import '@/features/api-management/routes/key-links.css';
import { EmptyState, ErrorBox, LoadMore, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { Field } from '@/components/ui/Field';
import {
  keyActions,
  listOrgKeys,
  loadLookups,
  type ApiKey,
  type KeyFilters,
} from '@/features/api-management/api/org-keys';
import { RevokeDialog, RotateDialog, TransferDialog } from '@/features/api-management/components/KeyDialogs';
import { errorMessage } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDate, formatDateTime, statusLabel } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import { useCursorPages } from '@/lib/use-cursor-pages';

const STATUSES = ['ACTIVE', 'DISABLED', 'OWNER_INACTIVE', 'EXPIRED', 'REVOKED'] as const;
type Dialog = { kind: 'rotate' | 'revoke' | 'transfer'; key: ApiKey };

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
  return <ApiManagement canListUsers={hasPermission(me, 'users:read')} />;
}

function ApiManagement({ canListUsers }: { canListUsers: boolean }) {
  const [filters, setFilters] = useState<KeyFilters>({
    q: '',
    ownerUserId: '',
    status: '',
    partnerId: '',
    apiType: '',
  });
  const [q, setQ] = useState('');
  const lookups = useAsync((signal) => loadLookups(canListUsers, signal), [canListUsers]);
  const keys = useCursorPages((after, signal) => listOrgKeys(filters, after, signal), [JSON.stringify(filters)]);
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();

  useEffect(() => {
    const t = window.setTimeout(() => setFilters((f) => (f.q === q.trim() ? f : { ...f, q: q.trim() })), 300);
    return () => window.clearTimeout(t);
  }, [q]);

  const setFilter = (name: keyof KeyFilters) => (e: React.ChangeEvent<HTMLSelectElement>) =>
    setFilters((f) => ({ ...f, [name]: e.target.value }));
  const replace = (key: ApiKey) => keys.update((list) => list.map((k) => (k.id === key.id ? key : k)));
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
  const partnerName = new Map(lookups.data?.partners.map((p) => [p.id, p.name]));
  const owners = lookups.data?.users ?? [];

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="API Management">
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
                <th scope="col">Name</th>
                <th scope="col">Owner</th>
                <th scope="col">API type</th>
                <th scope="col">Partner</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
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
                      <div>
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
                  <td data-label="API type">{typeTitle.get(k.apiType) ?? k.apiType}</td>
                  <td data-label="Partner">{k.partnerId ? (partnerName.get(k.partnerId) ?? '—') : '—'}</td>
                  <td data-label="Last used">{formatDateTime(k.lastUsedAt, 'Never')}</td>
                  <td data-label="Expires">{formatDate(k.expiresAt, 'Never')}</td>
                  <td data-label="Status">
                    <StatusPill status={k.status} label={statusLabel(k.status)} />
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
                      {k.status === 'OWNER_INACTIVE' && (
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
        <RotateDialog apiKey={dialog.key} onClose={() => setDialog(undefined)} onChanged={replace} />
      )}
      {dialog?.kind === 'revoke' && (
        <RevokeDialog apiKey={dialog.key} onClose={() => setDialog(undefined)} onChanged={replace} />
      )}
      {dialog?.kind === 'transfer' && (
        <TransferDialog apiKey={dialog.key} users={owners} onClose={() => setDialog(undefined)} onChanged={replace} />
      )}
    </section>
  );
}
