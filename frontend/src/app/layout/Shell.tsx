import { NavLink, Outlet } from 'react-router';
import { StatusBadge } from '@/features/health/components/StatusBadge';

const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'nav-link active' : 'nav-link');

/** The frame of every page: sidebar with brand, navigation, status and profile; the page in <main>. */
export function Shell() {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <NavLink to="/" className="brand" aria-label="Keysmith home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span className="brand__name">Keysmith</span>
        </NavLink>
        <nav className="sidebar__nav" aria-label="Main">
          <ul>
            <li>
              <NavLink to="/api-keys" className={navClass}>
                API Keys
              </NavLink>
            </li>
            <li>
              <NavLink to="/people" className={navClass}>
                People
              </NavLink>
            </li>
            <li className="nav-group">
              <span className="nav-group__label" id="nav-settings">
                Settings
              </span>
              <ul aria-labelledby="nav-settings">
                <li>
                  <NavLink to="/settings/api-management" className={navClass}>
                    API Management
                  </NavLink>
                </li>
              </ul>
            </li>
          </ul>
        </nav>
        <div className="sidebar__footer">
          <StatusBadge />
          <section className="profile" aria-label="Profile">
            <span className="profile__avatar" aria-hidden="true">
              ?
            </span>
            <span className="profile__text">
              <span className="profile__name">Not signed in</span>
              <span className="profile__hint">Sign-in is coming soon</span>
            </span>
          </section>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
