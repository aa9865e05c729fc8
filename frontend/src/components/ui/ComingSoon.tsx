import type { ReactNode } from 'react';

/** A friendly placeholder for a page whose feature has not shipped yet. */
export function ComingSoon({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <div className="empty-state">
        <span className="empty-state__icon" aria-hidden="true">
          ⚒
        </span>
        <p className="empty-state__lead">Coming soon</p>
        <p>{children}</p>
      </div>
    </section>
  );
}
