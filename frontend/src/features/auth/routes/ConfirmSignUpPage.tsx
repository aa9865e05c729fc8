import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, toApiError, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { AuthLayout } from '@/features/auth/routes/AuthLayout';

/** The target of a sign-up's confirmation mail: the token travels in the fragment (#token=...) and works once. */
export function ConfirmSignUpPage() {
  const { hash } = useLocation();
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(token ? null : 'This link is incomplete. Sign up again.');
  const sent = useRef(false);

  useEffect(() => {
    // once: the token is one-time, and React may run effects twice in development
    if (!token || sent.current) return;
    sent.current = true;
    void (async () => {
      try {
        signedIn(unwrap(await api.POST('/api/v1/signup/confirm', { body: { token } })));
        void navigate('/api-keys', { replace: true });
      } catch (e) {
        setError(toApiError(e).message);
      }
    })();
  }, [token, signedIn, navigate]);

  return (
    <AuthLayout title="Creating your organization">
      {error ? (
        <>
          <p className="alert alert--error" role="alert">
            {error}
          </p>
          <p className="auth__switch">
            <Link to="/sign-up">Sign up again</Link> or <Link to="/sign-in">sign in</Link>
          </p>
        </>
      ) : (
        <p role="status">Confirming your e-mail…</p>
      )}
    </AuthLayout>
  );
}
