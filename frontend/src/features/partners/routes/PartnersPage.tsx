import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { Field } from '@/components/ui/Field';
import { loadDirectory, type Partner, type PermissionCatalog } from '@/features/partners/api/partners';
import { AddPartner } from '@/features/partners/components/AddPartner';
import { hasPermission, useMe } from '@/lib/auth';
import { RIGHT_LABELS, type FieldRight } from '@/lib/field-rights';
import { useAsync } from '@/lib/use-async';
import '@/features/partners/routes/partners.css';

type Scope = 'all' | 'platform' | 'own';

/** The partner directory: platform-wide entries and the organization's own, with their usual permissions. */
export function PartnersPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'partners:manage');
  const directory = useAsync((signal) => loadDirectory(signal), []);
  const [q, setQ] = useState('');
  const [scope, setScope] = useState<Scope>('all');
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string>();

  const partners = directory.data?.partners ?? [];
  const catalog = directory.data?.catalog;
  const needle = q.trim().toLowerCase();
  const shown = partners
    .filter((p) => scope === 'all' || (scope === 'platform') === p.platformWide)
    .filter((p) => !needle || [p.name, p.website, p.contact].some((s) => s?.toLowerCase().includes(needle)))
    .sort((a, b) => Number(b.platformWide) - Number(a.platformWide) || a.name.localeCompare(b.name));
  const ownCount = partners.filter((p) => !p.platformWide).length;

  const addButton =
    canManage && !adding ? (
      <button
        type="button"
        className="button button--primary"
        onClick={() => {
          setAdding(true);
          setNotice(undefined);
        }}
      >
        + Add partner
      </button>
    ) : undefined;

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Partners" actions={addButton}>
        The companies your keys are for. Choosing a partner in the create-key wizard pre-selects its usual permissions.
      </PageHeader>
      {adding && catalog && (
        <AddPartner
          catalog={catalog}
          onClose={() => setAdding(false)}
          onAdded={(p) => {
            setAdding(false);
            setNotice(`“${p.name}” was added to your organization’s partners. It is now offered when creating a key.`);
            directory.reload();
          }}
        />
      )}
      {notice && (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      )}
      {directory.loading && !directory.data ? (
        <Loading label="Loading partners…" />
      ) : directory.error ? (
        <ErrorBox error={directory.error} onRetry={directory.reload} />
      ) : partners.length === 0 ? (
        <EmptyState title="No partners yet" icon="🤝">
          <p>
            Partners are the outside companies (payroll, benefits, IT providers…) your integrations’ keys are for. Each
            has usual permissions, pre-selected when you create a key for it.
          </p>
          {canManage ? (
            <p>Add your organization’s first partner with “+ Add partner”.</p>
          ) : (
            <p>Someone with the “Manage the organization’s partner directory” permission can add them.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <form
            className="filters partners__filters"
            role="search"
            aria-label="Filter partners"
            onSubmit={(e) => e.preventDefault()}
          >
            <Field label="Search">
              {(p) => (
                <input
                  {...p}
                  type="search"
                  placeholder="Name, website or contact"
                  value={q}
                  onChange={(e) => setQ(e.target.value)}
                />
              )}
            </Field>
            <Field label="Show">
              {(p) => (
                <select {...p} value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
                  <option value="all">All partners ({partners.length})</option>
                  <option value="platform">Platform-wide ({partners.length - ownCount})</option>
                  <option value="own">Your organization’s ({ownCount})</option>
                </select>
              )}
            </Field>
          </form>
          {shown.length === 0 ? (
            <EmptyState title="No partners match" icon="🔍">
              <p>Nothing matches “{q.trim()}”. Try another name, or show all partners.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Partners</caption>
                <thead>
                  <tr>
                    <th scope="col">Partner</th>
                    <th scope="col">Directory</th>
                    <th scope="col">Usual permissions</th>
                    <th scope="col">Usual field rights</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((p) => (
                    <PartnerRow key={p.id} partner={p} catalog={catalog!} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <p className="muted small partners__footnote">
        Keys for a partner are created in <Link to="/api-keys/new">Create key</Link>; the partner’s usual permissions
        are only a starting point, never more than your own access.
      </p>
    </section>
  );
}

function PartnerRow({ partner, catalog }: { partner: Partner; catalog: PermissionCatalog }) {
  const titles = new Map(catalog.groups.flatMap((g) => g.permissions.map((p) => [p.name, p.title] as const)));
  const rights = catalog.fields
    .map((f) => ({
      title: f.title,
      right: (partner.usualFieldRights as Record<string, FieldRight | undefined>)[f.name],
    }))
    .filter((f): f is { title: string; right: FieldRight } => Boolean(f.right && f.right !== 'NONE'));
  return (
    <tr>
      <td data-label="Partner">
        <div>
          <strong>{partner.name}</strong>
          {partner.website && (
            <div className="small">
              <a href={partner.website} target="_blank" rel="noreferrer noopener">
                {partner.website.replace(/^https?:\/\//, '')}
              </a>
            </div>
          )}
          {partner.contact && <div className="muted small">{partner.contact}</div>}
        </div>
      </td>
      <td data-label="Directory">
        <span className={partner.platformWide ? 'pill partners__pill--platform' : 'pill partners__pill--own'}>
          {partner.platformWide ? 'Platform-wide' : 'Your organization'}
        </span>
      </td>
      <td data-label="Usual permissions">
        {partner.usualPermissions.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <ul className="partners__perms">
            {partner.usualPermissions.map((name) => (
              <li key={name}>
                {titles.get(name) ?? name} <code className="perm__name small">{name}</code>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td data-label="Usual field rights">
        {rights.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <span className="small">
            {rights.map((r) => `${r.title}: ${RIGHT_LABELS[r.right].toLowerCase()}`).join(', ')}
          </span>
        )}
      </td>
    </tr>
  );
}
