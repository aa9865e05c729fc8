import type { ReactNode } from 'react';
import { errorMessage } from '@/lib/api-client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="alert alert--error" role="alert">
      {errorMessage(error)}
      {onRetry && (
        <>
          {' '}
          <button type="button" className="button button--link" onClick={onRetry}>
            Try again
          </button>
        </>
      )}
    </div>
  );
}

export function EmptyState({ title, children, icon = '⚿' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="empty-state">
      <span className="empty-state__icon" aria-hidden="true">
        {icon}
      </span>
      <p className="empty-state__lead">{title}</p>
      {children}
    </div>
  );
}

export function StatusPill({ status, label }: { status: string; label: string }) {
  return <span className={`pill pill--${status.toLowerCase().replace(/_/g, '-')}`}>{label}</span>;
}

export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1 id="page-title">{title}</h1>
        {children && <p className="page-header__lead">{children}</p>}
      </div>
      {actions && <div className="page-header__actions">{actions}</div>}
    </div>
  );
}

/** The "Load more" button under a list read page by page, and why the last attempt failed. */
export function LoadMore({ hasMore, error, onLoad }: { hasMore: boolean; error?: unknown; onLoad: () => void }) {
  return (
    <>
      {error !== undefined && <ErrorBox error={error} />}
      {hasMore && (
        <p>
          <button type="button" className="button" onClick={onLoad}>
            Load more
          </button>
        </p>
      )}
    </>
  );
}
