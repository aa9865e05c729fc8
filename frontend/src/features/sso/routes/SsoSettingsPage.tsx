import { useState, type FormEvent } from 'react';
import { ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { ErrorSummary, Field } from '@/components/ui/Field';
import {
  loadAccessLevels,
  loadAccountOwners,
  loadSsoSettings,
  saveSsoSettings,
  type SsoSettings,
} from '@/features/sso/api/sso';
import { useFormErrors } from '@/lib/form-errors';
import { useMe } from '@/lib/auth';
import { useAsync } from '@/lib/use-async';

type Level = Awaited<ReturnType<typeof loadAccessLevels>>[number];
type Owner = Awaited<ReturnType<typeof loadAccountOwners>>[number];

const FIELDS = [
  'enabled',
  'issuer',
  'clientId',
  'clientSecret',
  'allowedDomains',
  'jitEnabled',
  'jitAccessLevelId',
  'ssoRequired',
  'breakGlassUserId',
];

/** The organization's OpenID Connect single sign-on (GET/PUT /api/v1/organization/sso), for policies:manage. */
export function SsoSettingsPage() {
  const data = useAsync(async (signal) => {
    const [settings, levels, owners] = await Promise.all([
      loadSsoSettings(signal),
      loadAccessLevels(signal),
      loadAccountOwners(signal),
    ]);
    return { settings, levels, owners };
  }, []);
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Single sign-on">
        Let your people sign in through your own OpenID Connect identity provider (Okta, Entra ID, Google Workspace,
        Keycloak…).
      </PageHeader>
      {data.loading ? (
        <Loading label="Loading single sign-on settings…" />
      ) : data.error || !data.data ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : (
        <SsoForm initial={data.data.settings} levels={data.data.levels} owners={data.data.owners} />
      )}
    </section>
  );
}

function SsoForm({ initial, levels, owners }: { initial: SsoSettings; levels: Level[]; owners: Owner[] }) {
  const me = useMe();
  const isOwner = me.user.accessLevel.builtin === 'ACCOUNT_OWNER';
  const [saved, setSaved] = useState(initial);
  const [enabled, setEnabled] = useState(initial.enabled);
  const [issuer, setIssuer] = useState(initial.issuer ?? '');
  const [clientId, setClientId] = useState(initial.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [domains, setDomains] = useState(initial.allowedDomains.join(', '));
  const [jit, setJit] = useState(initial.jitEnabled);
  const [jitLevel, setJitLevel] = useState(initial.jitAccessLevelId ?? '');
  const [required, setRequired] = useState(initial.ssoRequired);
  const [breakGlass, setBreakGlass] = useState(initial.breakGlassUserId ?? '');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const errors = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setNotice(undefined);
    setBusy(true);
    try {
      const result = await saveSsoSettings({
        enabled,
        issuer: issuer.trim(),
        clientId: clientId.trim(),
        ...(clientSecret ? { clientSecret } : {}),
        allowedDomains: domains
          .split(/[\s,]+/)
          .map((d) => d.trim())
          .filter(Boolean),
        jitEnabled: jit,
        ...(jitLevel ? { jitAccessLevelId: jitLevel } : {}),
        ssoRequired: required,
        ...(breakGlass ? { breakGlassUserId: breakGlass } : {}),
      });
      setSaved(result);
      setClientSecret('');
      setNotice('Single sign-on settings saved.');
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="form">
      <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
      {notice && (
        <p className="alert alert--info" role="status">
          {notice}
        </p>
      )}
      <dl className="sso__facts">
        <dt>Redirect URI (register it at your identity provider)</dt>
        <dd>
          <code>{saved.redirectUri}</code>
        </dd>
        <dt>Sign-in link for your people</dt>
        <dd>
          <code>{saved.signInUrl}</code>
        </dd>
      </dl>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enable single sign-on
      </label>
      <Field
        label="Issuer URL"
        name="issuer"
        required
        hint="Its /.well-known/openid-configuration is read at sign-in."
        error={errors.fieldErrors.issuer}
      >
        {(p) => <input {...p} type="url" value={issuer} onChange={(e) => setIssuer(e.target.value)} />}
      </Field>
      <Field label="Client ID" name="clientId" required error={errors.fieldErrors.clientId}>
        {(p) => <input {...p} value={clientId} onChange={(e) => setClientId(e.target.value)} />}
      </Field>
      <Field
        label="Client secret"
        name="clientSecret"
        required={!saved.clientSecretSet}
        hint={saved.clientSecretSet ? 'A secret is stored (sealed). Leave empty to keep it.' : undefined}
        error={errors.fieldErrors.clientSecret}
      >
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="off"
            value={clientSecret}
            onChange={(e) => setClientSecret(e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Allowed e-mail domains"
        name="allowedDomains"
        required
        hint="Separated by commas, e.g. acme.com, acme.co.uk"
        error={errors.fieldErrors.allowedDomains}
      >
        {(p) => <input {...p} value={domains} onChange={(e) => setDomains(e.target.value)} />}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={jit} onChange={(e) => setJit(e.target.checked)} /> Create users on their first
        sign-in (just-in-time)
      </label>
      <Field label="Access level of new users" name="jitAccessLevelId" error={errors.fieldErrors.jitAccessLevelId}>
        {(p) => (
          <select {...p} value={jitLevel} onChange={(e) => setJitLevel(e.target.value)}>
            <option value="">Employee (default)</option>
            {levels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset className="fieldset" disabled={!isOwner}>
        <legend>Require single sign-on{isOwner ? '' : ' (Account Owners only)'}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Turn password
          sign-in off for everyone except the break-glass account
        </label>
        <Field
          label="Break-glass Account Owner"
          name="breakGlassUserId"
          hint="This Account Owner can still sign in with a password if the identity provider fails."
          error={errors.fieldErrors.breakGlassUserId}
        >
          {(p) => (
            <select {...p} value={breakGlass} onChange={(e) => setBreakGlass(e.target.value)}>
              <option value="">None</option>
              {owners.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.firstName} {u.lastName} ({u.email})
                </option>
              ))}
            </select>
          )}
        </Field>
      </fieldset>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save single sign-on'}
      </button>
    </form>
  );
}
