import { Link } from 'react-router';

export function Home() {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Welcome to Keysmith</h1>
      <p>Create and govern the API keys your integrations and partners use.</p>
      <ul className="link-list">
        <li>
          <Link to="/api-keys">Manage your API keys</Link>
        </li>
        <li>
          {/* A plain link: /docs/ is served by the server, outside this app's router. */}
          <a href="/docs/">Browse the API reference</a>
        </li>
      </ul>
    </section>
  );
}
