import { useEffect, useState } from 'react';
import { getDatabaseState, type DatabaseState } from '@/features/health/api/get-readiness';

const REFRESH_MS = 30_000;

/** Shows whether the server can reach its database; refreshes every 30 seconds. */
export function StatusBadge() {
  const [state, setState] = useState<DatabaseState | 'checking'>('checking');

  useEffect(() => {
    const controller = new AbortController();
    const check = () =>
      void getDatabaseState(controller.signal).then((s) => {
        if (!controller.signal.aborted) setState(s);
      });
    check();
    const timer = window.setInterval(check, REFRESH_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, []);

  return (
    <p className={`status-badge status-badge--${state}`} role="status">
      <span className="status-badge__dot" aria-hidden="true" />
      Database: {state === 'checking' ? 'checking…' : state}
    </p>
  );
}
