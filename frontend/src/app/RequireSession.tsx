import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '@/components/ui/Feedback';
import { useSession } from '@/lib/auth';

/** Renders its children only when signed in; otherwise sends the visitor to sign in and back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (session.status === 'loading') {
    return (
      <div className="boot">
        <Loading />
      </div>
    );
  }
  if (session.status === 'signed-out') {
    if (session.reason === 'signed-out') return <Navigate to="/sign-in?signedOut=1" replace />;
    const here = location.pathname + location.search;
    const to = here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`;
    return <Navigate to={to} replace />;
  }
  // the organization requires a second factor of this person, who has none: nothing else until one is set up
  if (session.me.authentication?.secondFactorEnrolmentRequired && location.pathname !== '/security') {
    return <Navigate to="/security" replace />;
  }
  return <>{children}</>;
}
