import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { api, unwrap, type Schemas } from '@/lib/api-client';
import { useFormErrors } from '@/lib/form-errors';

type Organization = Schemas['Organization'];

/**
 * "Sign in with SSO": by work e-mail (its domain finds the organization) or, from an organization's sign-in link
 * (/sign-in?sso=<organization id>), for that organization. The server answers the identity provider's URL and sets
 * the cookie that lets only this browser finish; the browser then leaves for the provider.
 */
export function SsoSignIn() {
  const [params] = useSearchParams();
  const linked = params.get('sso') ?? undefined;
  const open = Boolean(linked) || params.get('with') === 'sso';
  const [email, setEmail] = useState('');
  const [organizations, setOrganizations] = useState<Organization[]>();
  const [organizationId, setOrganizationId] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(['email', 'organizationId']);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const body = linked
        ? { organizationId: linked }
        : { email, ...(organizations && organizationId ? { organizationId } : {}) };
      const result = unwrap(await api.POST('/api/v1/sso/start', { body }));
      if (result.status === 'CHOOSE_ORGANIZATION') {
        setOrganizations(result.organizations ?? []);
        setOrganizationId(result.organizations?.[0]?.id ?? '');
        setBusy(false);
        return;
      }
      if (result.authorizationUrl) window.location.assign(result.authorizationUrl);
    } catch (error) {
      errors.show(error);
      setBusy(false);
    }
  };

  if (!open) {
    // a link, not a second button: the page keeps one "Sign in" button
    return (
      <p className="auth__switch">
        <Link to="/sign-in?with=sso">Sign in with SSO</Link>
      </p>
    );
  }
  return (
    <form onSubmit={submit} className="form" aria-label="Single sign-on">
      <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
      {linked ? (
        <p>Your organization signs in through its identity provider.</p>
      ) : (
        <Field
          label="Work e-mail for SSO"
          name="email"
          required
          hint="Your organization's identity provider is found by your e-mail's domain."
          error={errors.fieldErrors.email}
        >
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
      )}
      {organizations && (
        <Field
          label="Organization for SSO"
          required
          hint="Several organizations sign in this domain. Choose yours."
          error={errors.fieldErrors.organizationId}
        >
          {(p) => (
            <select {...p} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
              {organizations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <button type="submit" className="button button--primary button--block" disabled={busy}>
        {busy ? 'Opening your identity provider…' : 'Continue with SSO'}
      </button>
    </form>
  );
}
