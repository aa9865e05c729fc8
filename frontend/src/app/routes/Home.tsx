import { Link } from 'react-router';
import { hasPermission, useMe } from '@/lib/auth';

export function Home() {
  const me = useMe();
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Welcome, {me.user.firstName}</h1>
      <p>Create and govern the API keys your integrations and partners use in {me.organization.name}.</p>
      <ul className="link-list">
        <li>
          <Link to="/api-keys">Manage your API keys</Link>
        </li>
        {hasPermission(me, 'keys:manage-all') && (
          <li>
            <Link to="/settings/api-management">Oversee every key of the organization</Link>
          </li>
        )}
        <li>
          {/* A plain link: /docs/ is served by the server, outside this app's router. */}
          <a href="/docs/">Browse the API reference</a>
        </li>
      </ul>
    </section>
  );
}
