import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Loading } from '@/components/ui/Feedback';
import { api, errorMessage, unwrap } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { AuthLayout } from '@/features/auth/routes/AuthLayout';

/**
 * Where the identity provider sends the browser back (the redirect URI registered there): posts the code and state
 * once (a state is usable once, so a second post would fail) and signs in, or says why not.
 */
export function SsoCallbackPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [error, setError] = useState<string>();
  const posted = useRef(false);
  const code = params.get('code');
  const state = params.get('state');
  const refused = params.get('error_description') ?? params.get('error');
  const missing =
    code && state
      ? undefined
      : refused
        ? `Your identity provider did not sign you in (${refused.slice(0, 200)}).`
        : 'This page expects the answer of your identity provider.';

  useEffect(() => {
    if (!code || !state || posted.current) return;
    posted.current = true;
    void (async () => {
      try {
        const result = unwrap(await api.POST('/api/v1/sso/callback', { body: { code, state } }));
        if (result.me) {
          signedIn(result.me);
          void navigate('/', { replace: true });
        }
      } catch (e) {
        setError(errorMessage(e));
      }
    })();
  }, [code, state, navigate, signedIn]);
  const shown = missing ?? error;

  return (
    <AuthLayout title="Single sign-on">
      {shown ? (
        <>
          <div className="alert alert--error" role="alert">
            {shown}
          </div>
          <p className="auth__switch">
            <Link to="/sign-in">Back to sign-in</Link>
          </p>
        </>
      ) : (
        <Loading label="Signing you in…" />
      )}
    </AuthLayout>
  );
}
