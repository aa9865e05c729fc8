import { useState, type FormEvent } from 'react';
import { ErrorBox, Loading } from '@/components/ui/Feedback';
import { ErrorSummary, Field, FormActions, FormError } from '@/components/ui/Field';
import { LeaveConfirm } from '@/components/ui/LeaveConfirm';
import { HandoffOffer } from '@/components/ui/HandoffOffer';
import { SecretField } from '@/components/ui/SecretField';
import {
  createKey,
  loadWizardData,
  saveKeyPermissions,
  type ApiKey,
  type ApiKeyCreate,
} from '@/features/api-keys/api/keys';
import { keyRights, ownerRights, type OwnerRights } from '@/features/api-keys/api/edit-key';
import { ExpiryField } from '@/features/api-keys/components/ExpiryField';
import { PermissionModeField } from '@/features/api-keys/components/PermissionModeField';
import { PermissionPicker, type PermissionSelection } from '@/features/api-keys/components/PermissionPicker';
import { partnerSelection } from '@/features/api-keys/components/permissions';
import { hasPermission, useMe } from '@/lib/auth';
import { endOfDayIso } from '@/lib/format';
import { clearDraft, loadDraft, useDraft } from '@/lib/drafts';
import { useFormErrors } from '@/lib/form-errors';
import { useLeaveGuard } from '@/lib/use-leave-guard';
import { useAsync } from '@/lib/use-async';

const FIELDS = [
  'name',
  'apiType',
  'partnerId',
  'description',
  'permissionMode',
  'expiresAt',
  'ipAllowlist',
  'ownerUserId',
  'rateLimitPerMinute',
] as const;
const STEPS = ['Details', 'Store the key', 'Manage permissions'];

type Form = {
  /** The kind of credential: a static API key, or an OAuth client (client credentials) that obtains tokens. */
  kind: 'API_KEY' | 'OAUTH_CLIENT';
  name: string;
  apiType: string;
  partnerId: string;
  description: string;
  mode: 'INHERIT' | 'SCOPED';
  expiresOn: string;
  ipAllowlist: string;
  /** Empty: the signed-in user. */
  ownerUserId: string;
  rateLimit: string;
};

/**
 * Create a key in three steps (architecture.md, create-key flow): the details; the secret, shown once, until the user
 * confirms storing it; then the permissions. A "choose permissions" key is created SCOPED with no permissions (it can
 * do nothing) and the chosen ones are saved with PATCH afterwards.
 */
export function CreateKeyWizard({ onDone }: { onDone: () => void }) {
  const me = useMe();
  const forOthers = hasPermission(me, 'keys:manage-all') && hasPermission(me, 'users:read');
  const data = useAsync((signal) => loadWizardData(forOthers, signal), [forOthers]);
  const [step, setStep] = useState(0);
  // Step 1's fields survive an expired session (lib/drafts: never the secret, which exists only from step 2).
  const draftId = `keys.create.${me.user.id}`;
  const [restored] = useState(() => loadDraft<Form>(draftId));
  const [form, setForm] = useState<Form>({
    kind: 'API_KEY',
    name: '',
    apiType: '',
    partnerId: '',
    description: '',
    expiresOn: '',
    ipAllowlist: '',
    ownerUserId: '',
    rateLimit: '',
    ...restored,
    mode: restored?.mode === 'INHERIT' ? 'INHERIT' : 'SCOPED',
  });
  useDraft(draftId, { ...form, mode: form.mode === 'SCOPED' ? '' : form.mode }, step === 0);
  const [created, setCreated] = useState<{ key: ApiKey; secret: string }>();
  const [stored, setStored] = useState(false);
  const [selection, setSelection] = useState<PermissionSelection>({ permissions: [], fieldRights: {} });
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(FIELDS);
  const saveErrors = useFormErrors(['permissions', 'fieldRights']);
  const [saved, setSaved] = useState(false);
  // What step 3 offers: the chosen owner's rights, never more than mine (a key never exceeds its owner nor its maker);
  // `owner` is set for a key made for someone else whose access level could be read.
  const [rights, setRights] = useState<OwnerRights & { owner?: OwnerRights }>();
  // The secret is shown once (step 2); a "choose permissions" key grants nothing until step 3 is saved (step 3).
  const { blocker, release } = useLeaveGuard(step === 1 || (step === 2 && !saved));

  if (data.loading) return <Loading />;
  if (data.error || !data.data) return <ErrorBox error={data.error} onRetry={data.reload} />;
  const { apiTypes, partners, catalog, policies, users } = data.data;
  const owner = users.find((u) => u.id === form.ownerUserId);
  const ownerName = owner ? `${owner.firstName} ${owner.lastName}` : undefined;
  const apiTypeName = form.apiType || apiTypes[0]?.name || '';
  const apiType = apiTypes.find((t) => t.name === apiTypeName);
  const set =
    (name: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      setForm((f) => ({ ...f, [name]: e.target.value }));

  const generate = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!form.name.trim()) {
      errors.setFieldErrors({ name: 'Give the key a name.' });
      return;
    }
    const body: ApiKeyCreate = {
      ...(form.kind === 'OAUTH_CLIENT' ? { credentialKind: 'OAUTH_CLIENT' as const } : {}),
      name: form.name.trim(),
      apiType: apiTypeName,
      permissionMode: form.mode,
      ...(form.mode === 'SCOPED' ? { permissions: [], fieldRights: {} } : {}),
      ...(form.partnerId ? { partnerId: form.partnerId } : {}),
      ...(form.description.trim() ? { description: form.description.trim() } : {}),
      ...(form.expiresOn ? { expiresAt: endOfDayIso(form.expiresOn) } : {}),
      ...(form.ownerUserId ? { ownerUserId: form.ownerUserId } : {}),
      ...(form.rateLimit.trim() ? { rateLimitPerMinute: Number(form.rateLimit) } : {}),
    };
    const ips = form.ipAllowlist.split(/[\s,]+/).filter(Boolean);
    if (ips.length) body.ipAllowlist = ips;
    setBusy(true);
    try {
      const result = await createKey(body);
      const theirs = form.ownerUserId ? await ownerRights(form.ownerUserId, me) : undefined;
      const offered = keyRights(theirs ?? { ...me, known: true }, me);
      setCreated(result);
      setRights({ ...offered, owner: theirs });
      const partner = partners.find((p) => p.id === form.partnerId);
      setSelection(partnerSelection(partner, catalog, apiType, offered.permissions, offered.fieldRights));
      setStep(1);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    if (!created) return;
    saveErrors.clear();
    setBusy(true);
    try {
      await saveKeyPermissions(created.key.id, selection.permissions, selection.fieldRights);
      setSaved(true);
      release();
      onDone();
    } catch (error) {
      saveErrors.show(error);
      setBusy(false);
    }
  };

  const steps = form.mode === 'SCOPED' ? STEPS : STEPS.slice(0, 2);

  return (
    <div className="wizard">
      <ol className="steps" aria-label="Steps">
        {steps.map((s, i) => (
          <li
            key={s}
            className={
              i === step
                ? 'steps__item steps__item--current'
                : i < step
                  ? 'steps__item steps__item--done'
                  : 'steps__item'
            }
            aria-current={i === step ? 'step' : undefined}
          >
            <span className="steps__number" aria-hidden="true">
              {i + 1}
            </span>{' '}
            {s}
          </li>
        ))}
      </ol>

      {step === 0 && (
        <form className="card form" onSubmit={generate} aria-label="Key details" noValidate>
          {restored && (
            <p className="alert alert--info" role="status">
              Restored what you typed before: check it and generate the key.
            </p>
          )}
          <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
          <fieldset className="field radio-group">
            <legend className="field__label">Kind of credential</legend>
            <label className="radio">
              <input
                type="radio"
                name="credential-kind"
                value="API_KEY"
                checked={form.kind === 'API_KEY'}
                onChange={() => setForm((f) => ({ ...f, kind: 'API_KEY' }))}
              />
              <span>
                <strong>API key</strong>
                <span className="radio__hint">A static key the integration sends with every request.</span>
              </span>
            </label>
            <label className="radio">
              <input
                type="radio"
                name="credential-kind"
                value="OAUTH_CLIENT"
                checked={form.kind === 'OAUTH_CLIENT'}
                onChange={() => setForm((f) => ({ ...f, kind: 'OAUTH_CLIENT' }))}
              />
              <span>
                <strong>OAuth client</strong>
                <span className="radio__hint">
                  A client ID and secret that obtain short-lived access tokens (OAuth 2.0 client credentials).
                </span>
              </span>
            </label>
          </fieldset>
          <Field
            label="Name"
            name="name"
            required
            error={errors.fieldErrors.name}
            hint="For example the integration or partner it is for."
          >
            {(p) => <input {...p} value={form.name} maxLength={100} onChange={set('name')} />}
          </Field>
          {users.length > 0 && (
            <Field
              label="Owner"
              name="ownerUserId"
              error={errors.fieldErrors.ownerUserId}
              hint="A key for someone else (e.g. an integration user) never exceeds their access, nor yours: you receive its secret."
            >
              {(p) => (
                <select {...p} value={form.ownerUserId} onChange={set('ownerUserId')}>
                  <option value="">
                    Me ({me.user.firstName} {me.user.lastName})
                  </option>
                  {users
                    .filter((u) => u.id !== me.user.id)
                    .map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.firstName} {u.lastName} · {u.accessLevel.name}
                        {u.kind === 'NON_EMPLOYEE' ? ' · integration user' : ''}
                      </option>
                    ))}
                </select>
              )}
            </Field>
          )}
          <div className="form__row">
            <Field label="API type" name="apiType" required error={errors.fieldErrors.apiType}>
              {(p) => (
                <select {...p} value={apiTypeName} onChange={set('apiType')}>
                  {apiTypes.map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.title}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Partner" name="partnerId" error={errors.fieldErrors.partnerId}>
              {(p) => (
                <select {...p} value={form.partnerId} onChange={set('partnerId')}>
                  <option value="">No partner</option>
                  {partners.map((partner) => (
                    <option key={partner.id} value={partner.id}>
                      {partner.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <Field label="Description" name="description" error={errors.fieldErrors.description}>
            {(p) => <textarea {...p} rows={2} maxLength={500} value={form.description} onChange={set('description')} />}
          </Field>
          <PermissionModeField
            value={form.mode}
            onChange={(mode) => setForm((f) => ({ ...f, mode }))}
            error={errors.fieldErrors.permissionMode}
            whose={ownerName ?? 'you'}
            scopedHint="Pick exactly what the key may do after it is created."
          />
          <div className="form__row">
            <ExpiryField
              policies={policies}
              error={errors.fieldErrors.expiresAt}
              hint={() =>
                policies.maxKeyLifetimeDays
                  ? `Your organization allows at most ${policies.maxKeyLifetimeDays} days.`
                  : 'Leave empty for a key that does not expire.'
              }
              value={form.expiresOn}
              onChange={set('expiresOn')}
            />
            <Field
              label="IP allowlist"
              name="ipAllowlist"
              error={errors.fieldErrors.ipAllowlist}
              hint="One address or CIDR range per line; empty allows any."
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
          <Field
            label="Rate limit (requests per minute)"
            name="rateLimitPerMinute"
            error={errors.fieldErrors.rateLimitPerMinute}
            hint={
              policies.rateLimitCeilingPerMinute
                ? `Empty: the default. Your organization allows at most ${policies.rateLimitCeilingPerMinute}.`
                : 'Empty: the default of the API type or organization.'
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
          <FormActions
            busy={busy}
            label="Generate key"
            busyLabel="Generating…"
            onCancel={() => {
              clearDraft(draftId);
              onDone();
            }}
          />
        </form>
      )}

      {step === 1 && created && (
        <section className="card" aria-labelledby="store-title">
          <h2 id="store-title">
            {created.key.credentialKind === 'OAUTH_CLIENT' ? 'Your new OAuth client' : 'Your new key'} “
            {created.key.name}”
          </h2>
          {created.key.credentialKind === 'OAUTH_CLIENT' && created.key.clientId && (
            <p>
              Client ID: <code className="mono">{created.key.clientId}</code>
              <br />
              <span className="muted">Token endpoint: POST /oauth/token (grant_type=client_credentials)</span>
            </p>
          )}
          <SecretField
            label={created.key.credentialKind === 'OAUTH_CLIENT' ? 'Client secret' : 'API key'}
            secret={created.secret}
          />
          {created.key.credentialKind !== 'OAUTH_CLIENT' && (
            <HandoffOffer keyId={created.key.id} secret={created.secret} />
          )}
          <label className="checkbox">
            <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} />I have stored the{' '}
            {created.key.credentialKind === 'OAUTH_CLIENT' ? 'client secret' : 'API key'}
          </label>
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              disabled={!stored}
              onClick={() => {
                if (form.mode === 'SCOPED') setStep(2);
                else {
                  release();
                  onDone();
                }
              }}
            >
              Continue
            </button>
          </div>
          <LeaveConfirm blocker={blocker} message="The key is shown only now. Leave only if you have stored it." />
        </section>
      )}

      {step === 2 && created && (
        <section className="card" aria-labelledby="perm-title">
          <h2 id="perm-title">Manage permissions</h2>
          <p className="muted">
            The key can do nothing until you save. It never exceeds {ownerName ? `${ownerName}’s access nor ` : ''}your
            own access, and only {apiType?.title ?? 'its API type'} operations apply.
          </p>
          {rights?.owner && !rights.owner.known && (
            <p className="alert alert--info">
              You may not read {ownerName}’s access level, so your own access is offered; the server allows only what{' '}
              {ownerName} may be given.
            </p>
          )}
          <FormError
            message={saveErrors.formError ?? saveErrors.fieldErrors.permissions ?? saveErrors.fieldErrors.fieldRights}
          />
          <PermissionPicker
            catalog={catalog}
            apiType={apiType}
            myPermissions={rights?.permissions ?? me.permissions}
            myFieldRights={rights?.fieldRights ?? me.fieldRights}
            value={selection}
            onChange={setSelection}
            owner={
              rights?.owner?.known && ownerName
                ? { name: ownerName, permissions: rights.owner.permissions, fieldRights: rights.owner.fieldRights }
                : undefined
            }
          />
          <div className="actions">
            <button type="button" className="button button--primary" disabled={busy} onClick={save}>
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>
          <LeaveConfirm
            blocker={blocker}
            message={`“${created.key.name}” is active but has no permissions yet: it can do nothing until you save them. You can add them later on its Edit page. Leave without saving?`}
          />
        </section>
      )}
    </div>
  );
}
