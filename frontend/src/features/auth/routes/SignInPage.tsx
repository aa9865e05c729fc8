import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { api, unwrap, type Schemas } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import { AuthLayout, safeNext } from '@/features/auth/routes/AuthLayout';
import { SsoSignIn } from '@/features/auth/components/SsoSignIn';
import { getPasskey, passkeyError, passkeysSupported } from '@/lib/webauthn';

type Organization = Schemas['Organization'];

export function SignInPage() {
  const { session, signedIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organizations, setOrganizations] = useState<Organization[]>();
  const [organizationId, setOrganizationId] = useState('');
  const [busy, setBusy] = useState(false);
  // the password was right; a second factor is owed
  const [challenge, setChallenge] = useState<string>();
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [methods, setMethods] = useState<string[]>([]);
  const errors = useFormErrors(['email', 'password', 'organizationId', 'code', 'recoveryCode']);

  if (session.status === 'signed-in' && !busy) return <Navigate to={next} replace />;

  const notice =
    params.get('signedOut') === '1'
      ? 'You signed out.'
      : params.has('next')
        ? 'Your session ended. Please sign in again to continue.'
        : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const result = unwrap(
        await api.POST('/api/v1/session', {
          body: { email, password, ...(organizationId ? { organizationId } : {}) },
        }),
      );
      if (result.status === 'SECOND_FACTOR_REQUIRED') {
        setChallenge(result.challenge);
        setMethods(result.methods ?? []);
        setUseRecovery(false);
        setCode('');
        setBusy(false);
        return;
      }
      if (result.status === 'CHOOSE_ORGANIZATION') {
        setOrganizations(result.organizations ?? []);
        setOrganizationId(result.organizations?.[0]?.id ?? '');
        setBusy(false);
        return;
      }
      if (result.me) {
        signedIn(result.me);
        void navigate(next, { replace: true });
      }
    } catch (error) {
      errors.show(error);
      setBusy(false);
    }
  };

  const completeSignIn = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const proof = useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() };
      const result = unwrap(
        await api.POST('/api/v1/session/second-factor', { body: { challenge: challenge ?? '', ...proof } }),
      );
      if (result.me) {
        signedIn(result.me);
        void navigate(next, { replace: true });
      }
    } catch (error) {
      errors.show(error);
      setBusy(false);
    }
  };

  /** A passkey: passwordless without a challenge, else the second factor of this sign-in. */
  const withPasskey = async (secondFactorOf?: string) => {
    errors.clear();
    setBusy(true);
    try {
      const options = unwrap(
        await api.POST('/api/v1/session/passkey/options', {
          body: secondFactorOf ? { challenge: secondFactorOf } : {},
        }),
      );
      let credential;
      try {
        credential = await getPasskey(options);
      } catch (error) {
        throw passkeyError(error);
      }
      const result = unwrap(
        await api.POST('/api/v1/session/passkey', {
          body: {
            credential,
            ...(secondFactorOf ? { challenge: secondFactorOf } : {}),
          } as Schemas['PasskeySignInRequest'],
        }),
      );
      if (result.me) {
        signedIn(result.me);
        void navigate(next, { replace: true });
      }
    } catch (error) {
      errors.show(error);
      setBusy(false);
    }
  };

  if (challenge && methods.length > 0 && !methods.includes('totp')) {
    return (
      <AuthLayout title="Two-step sign-in">
        <div className="form">
          <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
          <p>Confirm with your passkey.</p>
          <button
            type="button"
            className="button button--primary button--block"
            disabled={busy}
            onClick={() => void withPasskey(challenge)}
          >
            {busy ? 'Waiting for your device…' : 'Use a passkey'}
          </button>
        </div>
      </AuthLayout>
    );
  }

  if (challenge) {
    const field = useRecovery ? 'recoveryCode' : 'code';
    return (
      <AuthLayout title="Two-step sign-in">
        <form onSubmit={completeSignIn} className="form">
          <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
          <Field
            label={useRecovery ? 'Recovery code' : 'Authentication code'}
            name={field}
            required
            hint={useRecovery ? 'One of the codes you stored when you set up the app.' : 'From your authenticator app.'}
            error={errors.fieldErrors[field]}
          >
            {(p) => (
              <input
                {...p}
                inputMode={useRecovery ? undefined : 'numeric'}
                autoComplete="one-time-code"
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
          <button
            type="button"
            className="button button--link"
            onClick={() => {
              setUseRecovery(!useRecovery);
              setCode('');
              errors.clear();
            }}
          >
            {useRecovery ? 'Use the authenticator app' : 'Use a recovery code'}
          </button>
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? 'Checking…' : 'Verify'}
          </button>
          {methods.includes('passkey') && (
            <button
              type="button"
              className="button button--block"
              disabled={busy}
              onClick={() => void withPasskey(challenge)}
            >
              Use a passkey
            </button>
          )}
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Sign in">
      {notice && (
        <p className="alert alert--info" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} noValidate={false} className="form">
        <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
        <Field label="E-mail" name="email" required error={errors.fieldErrors.email}>
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
        <Field label="Password" name="password" required error={errors.fieldErrors.password}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {/* Keysmith has no self-service reset (no e-mail proof of who asks): an admin issues a one-time link. */}
        <details className="forgot">
          <summary>Forgot password?</summary>
          <p>
            Ask an admin of your organization for a password-reset link: on their <strong>Users</strong> page,{' '}
            <strong>Reset password</strong> gives a one-time link (valid 24 hours) that lets you set a new password.
            Keysmith cannot reset it by e-mail.
          </p>
        </details>
        {organizations && (
          <Field
            label="Organization"
            required
            hint="You belong to several organizations. Choose one."
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
          {busy ? 'Signing in…' : organizations ? 'Continue' : 'Sign in'}
        </button>
      </form>
      {passkeysSupported() && (
        <button type="button" className="button button--block" disabled={busy} onClick={() => void withPasskey()}>
          Sign in with a passkey
        </button>
      )}
      <SsoSignIn />
      <p className="auth__switch">
        New to Keysmith? <Link to="/sign-up">Create an organization</Link>
      </p>
    </AuthLayout>
  );
}
