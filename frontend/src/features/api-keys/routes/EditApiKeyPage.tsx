import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorBox, Loading, PageHeader, StatusPill } from '@/components/ui/Feedback';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { LeaveConfirm } from '@/components/ui/LeaveConfirm';
import { loadKeyEditor, updateKey, type ApiKeyUpdate, type OwnerRights } from '@/features/api-keys/api/edit-key';
import type { ApiKey, ApiType, FieldRight, FieldRights, PermissionCatalog } from '@/features/api-keys/api/keys';
import { ExpiryField } from '@/features/api-keys/components/ExpiryField';
import { KeyHandoffs } from '@/features/api-keys/components/KeyHandoffs';
import { ApprovalNotice, KeyMetadataEditor } from '@/features/api-keys/components/KeyGovernance';
import { KeyRestrictions } from '@/features/api-keys/components/KeyRestrictions';
import { LeastPrivilegePanel } from '@/features/api-keys/components/LeastPrivilegePanel';
import { NamedRateLimitsEditor } from '@/features/api-keys/components/NamedRateLimits';
import { PermissionModeField } from '@/features/api-keys/components/PermissionModeField';
import { PermissionPicker, type PermissionSelection } from '@/features/api-keys/components/PermissionPicker';
import { UsageQuotaEditor } from '@/features/api-keys/components/UsageQuota';
import { whyUnavailable } from '@/features/api-keys/components/permissions';
import { atMost, rightOf } from '@/lib/field-rights';
import type { Schemas } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { endOfDayIso, formatDate, formatDateTime, statusLabel } from '@/lib/format';
import { clearDraft, loadDraft, useDraft, type Draft } from '@/lib/drafts';
import { useFormErrors } from '@/lib/form-errors';
import { useAsync } from '@/lib/use-async';
import { useLeaveGuard } from '@/lib/use-leave-guard';
import '@/features/api-keys/routes/edit-key.css';

const FIELDS = [
  'name',
  'description',
  'expiresAt',
  'ipAllowlist',
  'permissionMode',
  'permissions',
  'fieldRights',
  'rateLimitPerMinute',
] as const;

type Form = {
  name: string;
  description: string;
  expiresOn: string;
  ipAllowlist: string;
  mode: 'INHERIT' | 'SCOPED';
  selection: PermissionSelection;
  /** Requests per minute; empty: the default. */
  rateLimit: string;
};

/** Change a key after creation: name, description, IP allowlist, expiry and permissions (PATCH /api/v1/api-keys/{id}). */
export function EditApiKeyPage() {
  const { keyId = '' } = useParams();
  const me = useMe();
  const data = useAsync((signal) => loadKeyEditor(keyId, me, signal), [keyId]);
  const back = data.data && data.data.key.owner.id !== me.user.id ? '/settings/api-management' : '/api-keys';

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title={data.data?.key.status === 'REVOKED' ? 'Key details' : 'Edit key'}
        actions={
          <>
            <Link to={`/api-keys/${keyId}/usage`} className="button">
              Usage
            </Link>
            <Link to={back} className="button">
              Back to keys
            </Link>
          </>
        }
      >
        {data.data ? (
          <span className="edit-key__lead">
            <strong>{data.data.key.name}</strong> <code>{data.data.key.hint}…</code>{' '}
            <StatusPill status={data.data.key.status} label={statusLabel(data.data.key.status)} />
            {data.data.key.previousSecretValidUntil && (
              <span className="edit-key__grace">
                {' '}
                Rotated: the previous secret works until {formatDateTime(data.data.key.previousSecretValidUntil)}.
              </span>
            )}
          </span>
        ) : undefined}
      </PageHeader>
      {data.loading ? (
        <Loading label="Loading the key…" />
      ) : data.error || !data.data ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : (
        <>
          {data.data.key.leakedAt && (
            <p className="alert alert--error" role="alert">
              <strong>This key&apos;s secret was reported leaked</strong> on {formatDateTime(data.data.key.leakedAt)}.
              The audit log says where it was found and what was done; rotate the key if it is still active.
            </p>
          )}
          <ApprovalNotice apiKey={data.data.key} />
          <KeyRestrictions apiKey={data.data.key} />
          <KeyHandoffs keyId={data.data.key.id} />
          <EditKeyForm
            apiKey={data.data.key}
            apiType={data.data.apiType}
            catalog={data.data.catalog}
            policies={data.data.policies}
            owner={data.data.owner}
          />
          {!['REVOKED', 'DISABLED'].includes(data.data.key.status) && (
            <LeastPrivilegePanel keyId={keyId} onChanged={data.reload} />
          )}
          <NamedRateLimitsEditor apiKey={data.data.key} />
          <UsageQuotaEditor apiKey={data.data.key} credentialAdmin={hasPermission(me, 'keys:manage-all')} />
          <KeyMetadataEditor apiKey={data.data.key} />
        </>
      )}
    </section>
  );
}

const dateOf = (iso: string | undefined) => (iso ? new Date(iso).toISOString().slice(0, 10) : '');
const ipsOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);
const sortedRights = (r: FieldRights) =>
  JSON.stringify(
    Object.entries(r)
      .filter(([, v]) => v && v !== 'NONE')
      .sort(([a], [b]) => a.localeCompare(b)),
  );

function toForm(key: ApiKey): Form {
  return {
    name: key.name,
    description: key.description,
    expiresOn: dateOf(key.expiresAt),
    ipAllowlist: key.ipAllowlist.join('\n'),
    mode: key.permissionMode,
    selection: { permissions: key.permissions, fieldRights: key.fieldRights },
    rateLimit: key.rateLimitPerMinute ? String(key.rateLimitPerMinute) : '',
  };
}

/** The form as lib/drafts keeps it (the selection as JSON), and back. */
const draftOf = (f: Form): Draft => ({ ...f, selection: JSON.stringify(f.selection) });
function fromDraft(d: Partial<Record<string, unknown>>, base: Form): Form {
  const str = (v: unknown, b: string) => (typeof v === 'string' ? v : b);
  let selection = base.selection;
  try {
    if (typeof d.selection === 'string') selection = JSON.parse(d.selection) as PermissionSelection;
  } catch {
    // a damaged draft keeps the stored permissions
  }
  return {
    name: str(d.name, base.name),
    description: str(d.description, base.description),
    expiresOn: str(d.expiresOn, base.expiresOn),
    ipAllowlist: str(d.ipAllowlist, base.ipAllowlist),
    mode: d.mode === 'INHERIT' || d.mode === 'SCOPED' ? d.mode : base.mode,
    selection,
    rateLimit: str(d.rateLimit, base.rateLimit),
  };
}

type Props = {
  apiKey: ApiKey;
  apiType: ApiType | undefined;
  catalog: PermissionCatalog;
  policies: Schemas['OrganizationPolicies'];
  owner: OwnerRights;
};

/** The grantable part of a selection: only permissions the owner holds and the API type covers, field rights up to the owner's. */
function grantable(selection: PermissionSelection, props: Omit<Props, 'apiKey' | 'policies'>): PermissionSelection {
  const permissions = selection.permissions.filter((p) => !whyUnavailable(p, props.apiType, props.owner.permissions));
  const fieldRights: Record<string, FieldRight> = {};
  for (const field of props.catalog.fields) {
    const right = atMost(rightOf(selection.fieldRights, field.name), rightOf(props.owner.fieldRights, field.name));
    if (right !== 'NONE') fieldRights[field.name] = right;
  }
  return { permissions, fieldRights: fieldRights };
}

/** Only what changed: the API wants at least one property, and the audit log lists the changed ones. */
function changes(form: Form, key: ApiKey, props: Omit<Props, 'apiKey' | 'policies'>): ApiKeyUpdate {
  const body: ApiKeyUpdate = {};
  if (form.name.trim() !== key.name) body.name = form.name.trim();
  if (form.description.trim() !== key.description) body.description = form.description.trim();
  if (form.expiresOn !== dateOf(key.expiresAt)) body.expiresAt = form.expiresOn ? endOfDayIso(form.expiresOn) : null;
  const ips = ipsOf(form.ipAllowlist);
  if (JSON.stringify(ips) !== JSON.stringify(key.ipAllowlist)) body.ipAllowlist = ips;
  if (form.mode !== key.permissionMode) body.permissionMode = form.mode;
  const rate = form.rateLimit.trim() ? Number(form.rateLimit) : undefined;
  if (rate !== key.rateLimitPerMinute) body.rateLimitPerMinute = rate ?? null;
  if (form.mode === 'SCOPED') {
    const chosen = grantable(form.selection, props);
    if (
      form.mode !== key.permissionMode ||
      JSON.stringify(chosen.permissions) !== JSON.stringify(key.permissions) ||
      sortedRights(chosen.fieldRights) !== sortedRights(key.fieldRights)
    ) {
      body.permissions = chosen.permissions;
      body.fieldRights = chosen.fieldRights;
    }
  }
  return body;
}

function EditKeyForm({ apiKey: initialKey, apiType, catalog, policies, owner }: Props) {
  const me = useMe();
  const [key, setKey] = useState(initialKey);
  // Unsaved changes survive an expired session (lib/drafts), per key and per signed-in user.
  const draftId = `keys.edit.${initialKey.id}.${me.user.id}`;
  const [restored] = useState(() => {
    const d = initialKey.status === 'REVOKED' ? undefined : loadDraft(draftId);
    return d ? fromDraft(d, toForm(initialKey)) : undefined;
  });
  const [form, setForm] = useState(() => restored ?? toForm(initialKey));
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const errors = useFormErrors(FIELDS);
  const readOnly = key.status === 'REVOKED';
  const rest = { apiType, catalog, owner };
  const body = changes(form, key, rest);
  const dirty = !readOnly && Object.keys(body).length > 0;
  const { blocker } = useLeaveGuard(dirty);
  useDraft(draftId, draftOf(form), dirty);

  const set =
    (name: 'name' | 'description' | 'expiresOn' | 'ipAllowlist' | 'rateLimit') =>
    (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      setForm((f) => ({ ...f, [name]: e.target.value }));
      setNotice(undefined);
      // The server's complaint about this field no longer describes what is typed.
      const field = name === 'expiresOn' ? 'expiresAt' : name === 'rateLimit' ? 'rateLimitPerMinute' : name;
      if (errors.fieldErrors[field]) errors.setFieldErrors({});
    };
  const change = (next: Partial<Form>) => {
    setForm((f) => ({ ...f, ...next }));
    setNotice(undefined);
  };

  const dropped =
    key.permissionMode === 'SCOPED' ? key.permissions.filter((p) => whyUnavailable(p, apiType, owner.permissions)) : [];
  const ownerIsMe = key.owner.id === me.user.id;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setNotice(undefined);
    if (!form.name.trim()) {
      errors.setFieldErrors({ name: 'Give the key a name.' });
      return;
    }
    if (!dirty) return;
    setBusy(true);
    try {
      const updated = await updateKey(key.id, body);
      setKey(updated);
      setForm(toForm(updated));
      setNotice('Changes saved. They apply to the key’s next request.');
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form edit-key" onSubmit={submit} aria-label="Key settings" noValidate>
      {readOnly && (
        <p className="alert alert--info">
          This key is revoked: it can no longer be used or changed. Its settings are shown for reference.
        </p>
      )}
      {restored && dirty && (
        <p className="alert alert--info" role="status">
          Restored your unsaved changes: check them and save, or discard them.
        </p>
      )}
      <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
      <fieldset className="edit-key__body" disabled={readOnly}>
        <div className="form__row">
          <Field label="Name" name="name" required error={errors.fieldErrors.name}>
            {(p) => <input {...p} value={form.name} maxLength={100} onChange={set('name')} />}
          </Field>
          <div className="field">
            <span className="field__label">Owner</span>
            <span className="edit-key__static">{ownerIsMe ? `${key.owner.name} (you)` : key.owner.name}</span>
          </div>
        </div>
        <Field label="Description" name="description" error={errors.fieldErrors.description}>
          {(p) => <textarea {...p} rows={2} maxLength={500} value={form.description} onChange={set('description')} />}
        </Field>
        <div className="form__row">
          <ExpiryField
            policies={policies}
            error={errors.fieldErrors.expiresAt}
            hint={(maxDate) =>
              policies.maxKeyLifetimeDays
                ? `Your organization allows at most ${policies.maxKeyLifetimeDays} days from now${maxDate ? ` (until ${formatDate(`${maxDate}T12:00:00Z`)})` : ''}.`
                : policies.expiryRequired
                  ? 'Your organization requires an expiry date.'
                  : 'Empty: the key does not expire.'
            }
            value={form.expiresOn}
            onChange={set('expiresOn')}
          />
          <Field
            label="IP allowlist"
            name="ipAllowlist"
            error={errors.fieldErrors.ipAllowlist}
            hint="One address or CIDR range per line; empty allows any (unless the organization’s policy requires a list)."
          >
            {(p) => (
              <textarea
                {...p}
                rows={3}
                className="mono"
                spellCheck={false}
                value={form.ipAllowlist}
                onChange={set('ipAllowlist')}
                placeholder="203.0.113.0/24"
              />
            )}
          </Field>
        </div>

        <div className="form__row">
          <Field
            label="Rate limit (requests per minute)"
            name="rateLimitPerMinute"
            error={errors.fieldErrors.rateLimitPerMinute}
            hint={
              policies.rateLimitCeilingPerMinute
                ? `Empty: the default. Your organization allows at most ${policies.rateLimitCeilingPerMinute}.`
                : 'Empty: the default of the key’s API type or organization.'
            }
          >
            {(p) => (
              <input
                {...p}
                type="number"
                inputMode="numeric"
                min={1}
                max={policies.rateLimitCeilingPerMinute ?? 100_000_000}
                value={form.rateLimit}
                onChange={set('rateLimit')}
              />
            )}
          </Field>
        </div>

        <PermissionModeField
          value={form.mode}
          onChange={(mode) => change({ mode })}
          error={errors.fieldErrors.permissionMode}
          whose={ownerIsMe ? 'you' : key.owner.name}
          inheritLabel="Inherit the owner’s access"
          scopedHint="Exactly the permissions and field rights picked below."
        />

        {form.mode === 'SCOPED' && (
          <div className="edit-key__picker">
            {!owner.known && (
              <p className="alert alert--info">
                You may not read {key.owner.name}’s access level, so your own access is offered; the server allows only
                what {key.owner.name} may grant.
              </p>
            )}
            {owner.known && !ownerIsMe && (
              <p className="field__hint">
                Offered up to what the key’s owner, {key.owner.name}, holds: “beyond your own access” means beyond
                theirs.
              </p>
            )}
            {dropped.length > 0 && !readOnly && (
              <p className="alert alert--warning">
                The key holds {dropped.map((p) => `“${p}”`).join(', ')}, which its owner can no longer grant; saving the
                permissions removes {dropped.length === 1 ? 'it' : 'them'}.
              </p>
            )}
            <PermissionPicker
              catalog={catalog}
              apiType={apiType}
              myPermissions={owner.permissions}
              myFieldRights={owner.fieldRights}
              value={form.selection}
              onChange={(selection) => change({ selection })}
            />
            {(errors.fieldErrors.permissions || errors.fieldErrors.fieldRights) && (
              <p className="field__error" role="alert">
                {errors.fieldErrors.permissions ?? errors.fieldErrors.fieldRights}
              </p>
            )}
          </div>
        )}
      </fieldset>

      {notice && (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      )}
      {!readOnly && (
        <div className="actions">
          {dirty && <span className="muted small edit-key__unsaved">Unsaved changes</span>}
          <button
            type="button"
            className="button"
            disabled={!dirty || busy}
            onClick={() => {
              setForm(toForm(key));
              errors.clear();
            }}
          >
            Discard changes
          </button>
          <button type="submit" className="button button--primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      )}
      <LeaveConfirm
        blocker={blocker}
        message="Your changes to this key are not saved. Leave without saving them?"
        // leaving on purpose discards them; an expired session unmounts the page without asking, keeping the draft
        onLeave={() => clearDraft(draftId)}
      />
    </form>
  );
}
