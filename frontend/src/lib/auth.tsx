import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler, type Schemas } from '@/lib/api-client';

export type Me = Schemas['Me'];

type Session =
  | { status: 'loading' }
  | { status: 'signed-out'; reason: 'none' | 'ended' | 'signed-out' }
  | { status: 'signed-in'; me: Me };

type SessionContextValue = {
  session: Session;
  /** After sign-up or sign-in: remember who is signed in. */
  signedIn: (me: Me) => void;
  signOut: () => Promise<void>;
  refresh: () => Promise<void>;
};

/** Who is signed in, by GET /api/v1/me: signed out when it says 401 (the session ended) or cannot be reached. */
async function readSession(): Promise<Session> {
  try {
    const { data, response } = await api.GET('/api/v1/me');
    return data
      ? { status: 'signed-in', me: data }
      : { status: 'signed-out', reason: response.status === 401 ? 'ended' : 'none' };
  } catch {
    return { status: 'signed-out', reason: 'none' };
  }
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/** Loads GET /api/v1/me once, keeps the CSRF token for the client, and notices when any call says the session ended. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  const apply = useCallback((next: Session) => {
    setCsrfToken(next.status === 'signed-in' ? next.me.csrfToken : undefined);
    setSession(next);
  }, []);

  const refresh = useCallback(async () => apply(await readSession()), [apply]);

  useEffect(() => {
    void readSession().then(apply);
  }, [apply]);

  useEffect(() => {
    setUnauthorizedHandler(() => apply({ status: 'signed-out', reason: 'ended' }));
    return () => setUnauthorizedHandler(undefined);
  }, [apply]);

  const signOut = useCallback(async () => {
    try {
      await api.DELETE('/api/v1/session');
    } finally {
      apply({ status: 'signed-out', reason: 'signed-out' });
    }
  }, [apply]);

  const value = useMemo<SessionContextValue>(
    () => ({ session, signedIn: (me) => apply({ status: 'signed-in', me }), signOut, refresh }),
    [session, apply, signOut, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for pages rendered inside the signed-in shell. */
export function useMe(): Me {
  const { session } = useSession();
  if (session.status !== 'signed-in') throw new Error('useMe while not signed in');
  return session.me;
}

export function hasPermission(me: Me, permission: string): boolean {
  return me.permissions.includes(permission);
}
