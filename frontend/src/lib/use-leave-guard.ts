import { useCallback, useEffect, useRef } from 'react';
import { useBlocker, type Blocker } from 'react-router';

/**
 * While `active`, asks before the tab is closed or reloaded, and blocks in-app navigation (the caller shows the
 * question for the returned blocker). `release()` lets the page's own next navigation through.
 */
export function useLeaveGuard(active: boolean): { blocker: Blocker; release: () => void } {
  const released = useRef(false);
  useEffect(() => {
    released.current = false;
    if (!active) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (released.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [active]);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      active && !released.current && currentLocation.pathname !== nextLocation.pathname,
  );
  const release = useCallback(() => {
    released.current = true;
  }, []);
  return { blocker, release };
}
