import { useEffect, useRef, useState } from 'react';
import { useAsync, type AsyncState } from '@/lib/use-async';

export type CursorPage<T> = { items: T[]; next?: string };

export type CursorPages<T> = Omit<AsyncState<CursorPage<T>>, 'data'> & {
  /** The first page and every page loaded after it, in order. */
  items: T[];
  /** Whether the server has more after these. */
  hasMore: boolean;
  /** Appends the next page; an answer for a list the filters have since replaced is dropped. */
  loadMore: () => Promise<void>;
  moreError: unknown;
  /** Changes rows in place (e.g. after a row's action). */
  update: (change: (items: T[]) => T[]) => void;
};

type Shown<T> = CursorPage<T> & { first: CursorPage<T> };

/** A list read page by page with the server's cursor: the first page follows `deps`, "Load more" appends. */
export function useCursorPages<T>(
  load: (after: string | undefined, signal?: AbortSignal) => Promise<CursorPage<T>>,
  deps: unknown[],
): CursorPages<T> {
  const { data: first, error, loading, reload } = useAsync((signal) => load(undefined, signal), deps);
  // Rows beyond (or changed since) the first page, tied to the first page they continue.
  const [more, setMore] = useState<Shown<T>>();
  const [moreError, setMoreError] = useState<{ first: CursorPage<T>; error: unknown }>();
  const current = (from: CursorPage<T>, shown: Shown<T> | undefined): Shown<T> =>
    shown?.first === from ? shown : { first: from, items: from.items, next: from.next };
  const shown = first && current(first, more);
  const latest = useRef(first);
  useEffect(() => {
    latest.current = first;
  });

  const loadMore = async () => {
    if (!first || !shown?.next) return;
    try {
      const page = await load(shown.next);
      if (latest.current !== first) return; // the filters changed meanwhile: this page belongs to the old list
      setMore((m) => {
        const base = current(first, m);
        return { first, items: [...base.items, ...page.items], next: page.next };
      });
      setMoreError(undefined);
    } catch (e) {
      setMoreError({ first, error: e });
    }
  };
  const update = (change: (items: T[]) => T[]) => {
    if (!first) return;
    setMore((m) => {
      const base = current(first, m);
      return { ...base, items: change(base.items) };
    });
  };
  return {
    items: shown?.items ?? [],
    hasMore: Boolean(shown?.next),
    error,
    loading,
    reload,
    loadMore,
    moreError: moreError?.first === first ? moreError?.error : undefined,
    update,
  };
}
