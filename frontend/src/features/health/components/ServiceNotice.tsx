import { useEffect, useState } from 'react';
import { getDatabaseState, type DatabaseState } from '@/features/health/api/get-readiness';

const REFRESH_MS = 30_000;

/**
 * Says so when the server cannot reach its database (changes would fail), and nothing while all is well: the
 * database's state is an operator's concern (they watch /health and /metrics), not every customer's.
 */
export function ServiceNotice() {
  const [state, setState] = useState<DatabaseState>();

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

  if (state !== 'down') return null;
  return (
    <p className="alert alert--warning" role="status">
      Keysmith is having trouble right now: changes may fail. Please try again in a few minutes.
    </p>
  );
}
