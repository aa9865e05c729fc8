import { useCallback, useEffect, useEffectEvent, useState } from 'react';

export type AsyncState<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
};

type Outcome = { request: unknown[]; error: unknown };

/**
 * Runs `load` when `deps` change (and on reload); ignores answers that arrive after a newer request started.
 * While a request runs, `data` keeps the last answer; `loading` and `error` always describe the current request.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [tick, setTick] = useState(0);
  const request = [...deps, tick];
  const run = useEffectEvent((signal: AbortSignal) => load(signal));

  useEffect(() => {
    const controller = new AbortController();
    run(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setOutcome({ request, error: undefined });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setOutcome({ request, error });
      },
    );
    return () => controller.abort();
    // The caller names what the request depends on (like useEffect's own list); `run` always sees the latest `load`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, request);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const settled = outcome !== undefined && sameValues(outcome.request, request);
  return { data, error: settled ? outcome.error : undefined, loading: !settled, reload };
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
