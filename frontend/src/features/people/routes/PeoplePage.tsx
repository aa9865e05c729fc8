import { useEffect, useState } from 'react';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { api, errorMessage, unwrap, type Schemas } from '@/lib/api-client';
import { useAsync } from '@/lib/use-async';

type Person = Schemas['Person'];

/** People records with only the fields the server returned (fields the caller may not view are absent). */
export function PeoplePage() {
  const first = useAsync(
    async (signal) => unwrap(await api.GET('/api/v1/people', { params: { query: { limit: 50 } }, signal })),
    [],
  );
  const catalog = useAsync(async (signal) => unwrap(await api.GET('/api/v1/permissions', { signal })).fields, []);
  const [items, setItems] = useState<Person[]>([]);
  const [next, setNext] = useState<string>();
  const [moreError, setMoreError] = useState<string>();
  useEffect(() => {
    if (first.data) {
      setItems(first.data.items);
      setNext(first.data.next);
    }
  }, [first.data]);

  const fields = (catalog.data ?? []).filter((f) =>
    items.some((p) => (p as Record<string, unknown>)[f.name] !== undefined),
  );
  const loadMore = async () => {
    try {
      const page = unwrap(await api.GET('/api/v1/people', { params: { query: { limit: 50, after: next } } }));
      setItems((i) => [...i, ...page.items]);
      setNext(page.next);
    } catch (e) {
      setMoreError(errorMessage(e));
    }
  };

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="People">
        The organization’s people records, showing only the fields your access level may see.
      </PageHeader>
      {first.loading ? (
        <Loading />
      ) : first.error ? (
        <ErrorBox error={first.error} onRetry={first.reload} />
      ) : items.length === 0 ? (
        <EmptyState title="No people records yet" icon="☺" />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">People</caption>
            <thead>
              <tr>
                {fields.map((f) => (
                  <th scope="col" key={f.name}>
                    {f.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  {fields.map((f) => (
                    <td key={f.name} data-label={f.title}>
                      {String((p as Record<string, unknown>)[f.name] ?? '—')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError && <p className="alert alert--error">{moreError}</p>}
      {next && (
        <p>
          <button type="button" className="button" onClick={loadMore}>
            Load more
          </button>
        </p>
      )}
    </section>
  );
}
