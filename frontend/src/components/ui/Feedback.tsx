import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage, isNotFound } from '@/lib/api-client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** What is asked for does not exist (or is another organization's): say so, and offer a way on, not "Try again". */
export function NotFoundPanel({ children }: { children?: ReactNode }) {
  return (
    <div className="empty-state" role="alert">
      <span className="empty-state__icon" aria-hidden="true">
        <Icon name="search" />
      </span>
      <p className="empty-state__lead">Nothing here</p>
      <p>{children ?? 'The address is wrong, or what it pointed to was deleted.'}</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  // Retrying cannot find what does not exist.
  // A 404 says what was not found ("No such API key"); a malformed id in the address says nothing useful.
  if (isNotFound(error)) {
    const said = error instanceof ApiError && error.problem.status === 404 ? errorMessage(error) : undefined;
    return (
      <NotFoundPanel>
        {said ? `${said.replace(/\.$/, '')}. The address is wrong, or what it pointed to was deleted.` : undefined}
      </NotFoundPanel>
    );
  }
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

const ICON_PATHS: Record<string, ReactNode> = {
  key: (
    <>
      <circle cx="8" cy="15" r="4" />
      <path d="M10.8 12.2L20 3M16 7l3 3M14 9l2 2" />
    </>
  ),
  lock: (
    <>
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V7a4 4 0 0 1 8 0v4" />
    </>
  ),
  search: (
    <>
      <circle cx="11" cy="11" r="6" />
      <path d="M20 20l-4.5-4.5" />
    </>
  ),
  people: (
    <>
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 7M18 14.5a6.5 6.5 0 0 1 3.5 5.5" />
    </>
  ),
  empty: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M6 18L18 6" />
    </>
  ),
};
// Glyphs callers passed before the icons were drawn: an emoji or symbol renders as an empty box where the system's
// fonts lack it (most Linux desktops), so each is drawn inline instead.
const GLYPHS: Record<string, string> = {
  '⚿': 'key',
  '🔒': 'lock',
  '🔍': 'search',
  '🤝': 'people',
  '☺': 'people',
  '∅': 'empty',
};

export type IconName = keyof typeof ICON_PATHS;

export function Icon({ name, size = 40 }: { name: string; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {ICON_PATHS[name] ?? ICON_PATHS.key}
    </svg>
  );
}

/** An empty list or a page that is not available: an icon (a name, or a legacy glyph), a lead and what to do. */
export function EmptyState({ title, children, icon = 'key' }: { title: string; children?: ReactNode; icon?: string }) {
  const name = GLYPHS[icon] ?? (icon in ICON_PATHS ? icon : undefined);
  return (
    <div className="empty-state">
      <span className="empty-state__icon" aria-hidden="true">
        {name ? <Icon name={name} /> : icon}
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
