import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { ThemeSwitch } from '@/components/ui/ThemeSwitch';
import { ServiceNotice } from '@/features/health/components/ServiceNotice';
import { listNotifications } from '@/features/notifications/api/notifications';
import { useAsync } from '@/lib/use-async';
import { hasPermission, useMe, useSession } from '@/lib/auth';

const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'nav-link active' : 'nav-link');

/** Open state that belongs to the page it was opened on: going to another page closes it. */
function useOpenOnThisPage() {
  const location = useLocation();
  const [openOn, setOpenOn] = useState<string>();
  const open = openOn === location.pathname;
  const setOpen = useCallback((on: boolean) => setOpenOn(on ? location.pathname : undefined), [location.pathname]);
  return [open, setOpen] as const;
}

/**
 * The frame of every signed-in page: sidebar with brand, navigation, theme and profile menu; the page in <main>.
 * On phones the navigation folds behind a menu button so the page gets the screen.
 */
export function Shell() {
  const me = useMe();
  const can = (p: string) => hasPermission(me, p);
  const [menuOpen, setMenuOpen] = useOpenOnThisPage();
  const settings = [
    can('keys:manage-all') && { to: '/settings/api-management', label: 'API Management' },
    can('keys:manage-all') && { to: '/settings/webhooks', label: 'Webhooks' },
    can('access-levels:read') && { to: '/settings/access-levels', label: 'Access levels' },
    { to: '/settings/policies', label: 'Policies' },
  ].filter((x): x is { to: string; label: string } => Boolean(x));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <div className="sidebar__inner">
          <div className="sidebar__top">
            <NavLink to="/" className="brand" aria-label="Keysmith home">
              <img src="/favicon.svg" alt="" width={28} height={28} />
              <span className="brand__name">Keysmith</span>
            </NavLink>
            <button
              type="button"
              className="menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="sidebar-panel"
              onClick={() => setMenuOpen(!menuOpen)}
            >
              <MenuIcon open={menuOpen} />
              <span>Menu</span>
            </button>
          </div>
          <div id="sidebar-panel" className={menuOpen ? 'sidebar__panel sidebar__panel--open' : 'sidebar__panel'}>
            <nav className="sidebar__nav" aria-label="Main">
              <ul>
                {can('people:read') && (
                  <li>
                    <NavLink to="/people" className={navClass}>
                      People
                    </NavLink>
                  </li>
                )}
                {can('users:read') && (
                  <li>
                    <NavLink to="/users" className={navClass}>
                      Users
                    </NavLink>
                  </li>
                )}
                {can('keys:manage-all') && (
                  <li>
                    <NavLink to="/usage" className={navClass}>
                      Usage
                    </NavLink>
                  </li>
                )}
                <li>
                  <NotificationsLink />
                </li>
                <li>
                  <NavLink to="/partners" className={navClass}>
                    Partners
                  </NavLink>
                </li>
                {can('audit:read') && (
                  <li>
                    <NavLink to="/audit" className={navClass}>
                      Audit log
                    </NavLink>
                  </li>
                )}
                {settings.length > 0 && (
                  <li className="nav-group">
                    <span className="nav-group__label" id="nav-settings">
                      Settings
                    </span>
                    <ul aria-labelledby="nav-settings">
                      {settings.map((s) => (
                        <li key={s.to}>
                          <NavLink to={s.to} className={navClass}>
                            {s.label}
                          </NavLink>
                        </li>
                      ))}
                    </ul>
                  </li>
                )}
              </ul>
            </nav>
            <div className="sidebar__footer">
              <ThemeSwitch />
              <ProfileMenu />
            </div>
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <ServiceNotice />
        <Outlet />
      </main>
    </div>
  );
}

/** The bell: the notifications page, with the unread count (refreshed on each page change). */
function NotificationsLink() {
  const location = useLocation();
  const list = useAsync((signal) => listNotifications(signal).catch(() => undefined), [location.pathname]);
  const unread = list.data?.unreadCount ?? 0;
  return (
    <NavLink to="/notifications" className={navClass}>
      Notifications
      {unread > 0 && (
        <span className="badge" aria-label={`${unread} unread`}>
          {unread >= 100 ? '99+' : unread}
        </span>
      )}
    </NavLink>
  );
}

function MenuIcon({ open }: { open: boolean }) {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      {open ? (
        <path d="M5 5l10 10M15 5L5 15" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      ) : (
        <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      )}
    </svg>
  );
}

function ProfileMenu() {
  const me = useMe();
  const { signOut } = useSession();
  const [open, setOpen] = useOpenOnThisPage();
  const ref = useRef<HTMLElement>(null);
  const initials = `${me.user.firstName[0] ?? ''}${me.user.lastName[0] ?? ''}`.toUpperCase();

  useEffect(() => {
    if (!open) return;
    const onClick = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onClick);
    return () => document.removeEventListener('mousedown', onClick);
  }, [open, setOpen]);

  return (
    <section
      className="profile"
      aria-label="Profile"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          ref.current?.querySelector('button')?.focus();
        }
      }}
    >
      {open && (
        <ul className="profile__menu" id="profile-menu">
          <li>
            <Link to="/api-keys" className="profile__item">
              API Keys
            </Link>
          </li>
          <li>
            <button type="button" className="profile__item" onClick={() => void signOut()}>
              Sign out
            </button>
          </li>
        </ul>
      )}
      <button
        type="button"
        className="profile__button"
        aria-expanded={open}
        aria-controls="profile-menu"
        onClick={() => setOpen(!open)}
      >
        <span className="profile__avatar" aria-hidden="true">
          {initials || '?'}
        </span>
        <span className="profile__text">
          <span className="profile__name">
            {me.user.firstName} {me.user.lastName}
          </span>
          <span className="profile__hint">{me.organization.name}</span>
        </span>
      </button>
    </section>
  );
}
