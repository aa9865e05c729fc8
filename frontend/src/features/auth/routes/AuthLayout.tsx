import type { ReactNode } from 'react';

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth" id="main">
      <div className="auth__card">
        <div className="auth__brand">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span>Keysmith</span>
        </div>
        <h1 id="page-title">{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** Only same-site paths may be a `next` target. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
