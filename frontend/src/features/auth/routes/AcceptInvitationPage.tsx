import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { api, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import { AuthLayout } from '@/features/auth/routes/AuthLayout';

/** The target of invitation and password-reset links: the token travels in the fragment (#token=...). */
export function AcceptInvitationPage() {
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(['password', 'token']);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (password.length < 12) {
      errors.setFieldErrors({ password: 'Use at least 12 characters.' });
      return;
    }
    setBusy(true);
    try {
      signedIn(unwrap(await api.POST('/api/v1/invitations/accept', { body: { token, password } })));
      void navigate('/', { replace: true });
    } catch (error) {
      errors.show(error);
      setBusy(false);
    }
  };

  return (
    <AuthLayout title="Set your password">
      {!token ? (
        <p className="alert alert--error">This link is incomplete. Ask your administrator for a new one.</p>
      ) : (
        <form className="form" onSubmit={submit}>
          <ErrorSummary
            formError={errors.formError ?? errors.fieldErrors.token}
            fieldErrors={errors.fieldErrors.password ? { password: errors.fieldErrors.password } : {}}
            labels={{ password: 'New password' }}
          />
          <Field
            label="New password"
            name="password"
            required
            hint="At least 12 characters."
            error={errors.fieldErrors.password}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? 'Saving…' : 'Set password and sign in'}
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
