import { Link } from 'react-router';

export function NotFound() {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Page not found</h1>
      <div className="empty-state">
        <span className="empty-state__icon" aria-hidden="true">
          404
        </span>
        <p>There is no page at this address.</p>
        <p>
          <Link to="/">Go to the start page</Link>
        </p>
      </div>
    </section>
  );
}
