import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { api, unwrap, type Schemas } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import { AuthLayout } from '@/features/auth/routes/AuthLayout';

const FIELDS = ['organizationName', 'firstName', 'lastName', 'email', 'password'] as const;
type FieldName = (typeof FIELDS)[number];

export function SignUpPage() {
  const { session, signedIn } = useSession();
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<FieldName, string>>({
    organizationName: '',
    firstName: '',
    lastName: '',
    email: '',
    password: '',
  });
  const [busy, setBusy] = useState(false);
  const [mailedTo, setMailedTo] = useState<string | null>(null);
  const errors = useFormErrors(FIELDS);

  if (session.status === 'signed-in' && !busy) return <Navigate to="/" replace />;

  if (mailedTo) {
    return (
      <AuthLayout title="Check your e-mail">
        <p role="status" className="alert alert--info">
          We sent a link to <strong>{mailedTo}</strong>. Follow it to create your organization; it works once, for 24
          hours. Nothing is created until then.
        </p>
        <p className="auth__switch">
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </p>
      </AuthLayout>
    );
  }

  const set = (name: FieldName) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (values.password.length < 12) {
      errors.setFieldErrors({ password: 'Use at least 12 characters.' });
      return;
    }
    setBusy(true);
    try {
      const answer = unwrap(await api.POST('/api/v1/signup', { body: values }));
      if ('status' in answer && answer.status === 'CONFIRMATION_SENT') {
        // SMTP is configured: the e-mail must be proven before anything exists (ADR 0010)
        setMailedTo(values.email);
        setBusy(false);
        return;
      }
      signedIn(answer as Schemas['Me']);
      void navigate('/api-keys', { replace: true });
    } catch (error) {
      errors.show(error);
      setBusy(false);
    }
  };

  return (
    <AuthLayout title="Create your organization">
      <form onSubmit={submit} className="form">
        <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} labels={{ password: 'Password' }} />
        <Field label="Organization name" name="organizationName" required error={errors.fieldErrors.organizationName}>
          {(p) => (
            <input
              {...p}
              autoComplete="organization"
              value={values.organizationName}
              onChange={set('organizationName')}
            />
          )}
        </Field>
        <div className="form__row">
          <Field label="First name" name="firstName" required error={errors.fieldErrors.firstName}>
            {(p) => <input {...p} autoComplete="given-name" value={values.firstName} onChange={set('firstName')} />}
          </Field>
          <Field label="Last name" name="lastName" required error={errors.fieldErrors.lastName}>
            {(p) => <input {...p} autoComplete="family-name" value={values.lastName} onChange={set('lastName')} />}
          </Field>
        </div>
        <Field label="Work e-mail" name="email" required error={errors.fieldErrors.email}>
          {(p) => <input {...p} type="email" autoComplete="email" value={values.email} onChange={set('email')} />}
        </Field>
        <Field
          label="Password"
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
              value={values.password}
              onChange={set('password')}
            />
          )}
        </Field>
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? 'Creating…' : 'Create organization'}
        </button>
      </form>
      <p className="auth__switch">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </AuthLayout>
  );
}
