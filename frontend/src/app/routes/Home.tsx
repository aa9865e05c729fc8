import { useState } from 'react';
import { Link } from 'react-router';
import { checklistDismissed, dismissChecklist, loadChecklist, type Step } from '@/app/home/checklist';
import { hasPermission, useMe } from '@/lib/auth';
import { useAsync } from '@/lib/use-async';

export function Home() {
  const me = useMe();
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">Welcome, {me.user.firstName}</h1>
      <p>Create and govern the API keys your integrations and partners use in {me.organization.name}.</p>
      <SetupChecklist />
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

/** The first-run steps from real data; gone once all are done, or when dismissed (remembered per organization). */
function SetupChecklist() {
  const me = useMe();
  const [dismissed, setDismissed] = useState(() => checklistDismissed(me.organization.id));
  const steps = useAsync((signal) => (dismissed ? Promise.resolve([]) : loadChecklist(me, signal)), [me, dismissed]);
  // A checklist that could not load is no reason to block the home page: it simply does not show.
  const list: Step[] = steps.data ?? [];
  const done = list.filter((s) => s.done).length;
  if (dismissed || list.length === 0 || done === list.length) return null;
  return (
    <section className="card checklist" aria-labelledby="checklist-title">
      <div className="checklist__header">
        <h2 id="checklist-title">Get set up</h2>
        <p className="muted small" id="checklist-progress">
          {done} of {list.length} done
        </p>
      </div>
      <progress className="checklist__bar" max={list.length} value={done} aria-labelledby="checklist-progress" />
      <ol className="checklist__steps">
        {list.map((s) => (
          <li key={s.id} className={s.done ? 'checklist__step checklist__step--done' : 'checklist__step'}>
            <span className="checklist__mark" aria-hidden="true">
              {s.done ? '✓' : ''}
            </span>
            <span>
              {s.done ? (
                <span className="checklist__label">
                  {s.label}
                  <span className="visually-hidden"> (done)</span>
                </span>
              ) : (
                <Link to={s.to} className="checklist__label">
                  {s.label}
                </Link>
              )}
              <span className="checklist__hint">{s.hint}</span>
            </span>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button
          type="button"
          className="button button--small"
          onClick={() => {
            dismissChecklist(me.organization.id);
            setDismissed(true);
          }}
        >
          Hide this checklist
        </button>
      </div>
    </section>
  );
}
