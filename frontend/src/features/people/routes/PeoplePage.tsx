import { EmptyState, ErrorBox, LoadMore, Loading, PageHeader } from '@/components/ui/Feedback';
import { api, unwrap } from '@/lib/api-client';
import { useAsync } from '@/lib/use-async';
import { useCursorPages } from '@/lib/use-cursor-pages';

/** People records with only the fields the server returned (fields the caller may not view are absent). */
export function PeoplePage() {
  const people = useCursorPages(
    async (after, signal) =>
      unwrap(
        await api.GET('/api/v1/people', { params: { query: { limit: 50, ...(after ? { after } : {}) } }, signal }),
      ),
    [],
  );
  const catalog = useAsync(async (signal) => unwrap(await api.GET('/api/v1/permissions', { signal })).fields, []);

  const fields = (catalog.data ?? []).filter((f) =>
    people.items.some((p) => (p as Record<string, unknown>)[f.name] !== undefined),
  );

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="People">
        The organization’s people records, showing only the fields your access level may see.
      </PageHeader>
      {people.loading ? (
        <Loading />
      ) : people.error ? (
        <ErrorBox error={people.error} onRetry={people.reload} />
      ) : people.items.length === 0 ? (
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
              {people.items.map((p) => (
                <tr key={p.id}>
                  {fields.map((f) => (
                    <td key={f.name} data-label={f.title}>
                      {cell((p as Record<string, unknown>)[f.name])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={people.hasMore} error={people.moreError} onLoad={() => void people.loadMore()} />
    </section>
  );
}

/** A person's field as table text: the server sends strings, numbers and booleans; an absent field shows a dash. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}
