import { useState, type FormEvent } from 'react';
import type { ApiKey } from '@/features/api-keys/api/keys';
import { updateKey } from '@/features/api-keys/api/edit-key';
import { errorMessage } from '@/lib/api-client';

type Row = { name: string; limit: string; windowSeconds: string };

const MAX_LIMITS = 5;
const NAME = /^[a-z0-9-]{1,32}$/;

const rowsOf = (key: ApiKey): Row[] =>
  (key.rateLimits ?? []).map((l) => ({ name: l.name, limit: String(l.limit), windowSeconds: String(l.windowSeconds) }));

/** The first thing wrong with the rows (the server checks the same and more), or undefined. */
export function rowsProblem(rows: Row[]): string | undefined {
  const names = new Set<string>();
  for (const r of rows) {
    if (!NAME.test(r.name)) return `“${r.name}”: a name is 1 to 32 of a-z, 0-9 and -`;
    if (r.name === 'key') return '“key” is the per-minute limit’s name';
    if (names.has(r.name)) return `“${r.name}” is named twice`;
    names.add(r.name);
    const limit = Number(r.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) return `“${r.name}”: requests 1 to 1,000,000`;
    const window = Number(r.windowSeconds);
    if (!Number.isInteger(window) || window < 1 || window > 86_400) return `“${r.name}”: window 1 to 86,400 seconds`;
  }
  return undefined;
}

/**
 * The key's named rate limits (ADR 0021), beside its per-minute limit: a request is admitted only when every limit
 * admits it. Saved on its own, like the metadata.
 */
export function NamedRateLimitsEditor({ apiKey }: { apiKey: ApiKey }) {
  const [initial, setInitial] = useState(() => JSON.stringify(rowsOf(apiKey)));
  const [rows, setRows] = useState<Row[]>(() => rowsOf(apiKey));
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const readOnly = apiKey.status === 'REVOKED';

  const change = (i: number, field: keyof Row, value: string) => {
    setRows(rows.map((r, j) => (j === i ? { ...r, [field]: value } : r)));
    setNotice(undefined);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(undefined);
    const problem = rowsProblem(rows);
    if (problem) {
      setError(problem);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      await updateKey(apiKey.id, {
        rateLimits: rows.map((r) => ({ name: r.name, limit: Number(r.limit), windowSeconds: Number(r.windowSeconds) })),
      });
      setInitial(JSON.stringify(rows));
      setNotice(rows.length ? 'Rate limits saved.' : 'Named rate limits removed.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" aria-label="Additional rate limits" onSubmit={(e) => void submit(e)} noValidate>
      <h2>Additional rate limits</h2>
      <p className="field__hint">
        Besides the per-minute limit, for example a burst of 20 per second and 5,000 per hour. Every limit must admit a
        request; answers report each one in the RateLimit headers.
      </p>
      {rows.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Requests</th>
              <th scope="col">Per (seconds)</th>
              {!readOnly && <th scope="col">Remove</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <input
                    aria-label={`Limit ${i + 1}: name`}
                    value={r.name}
                    maxLength={32}
                    readOnly={readOnly}
                    onChange={(e) => change(i, 'name', e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Limit ${i + 1}: requests`}
                    type="number"
                    min={1}
                    max={1_000_000}
                    value={r.limit}
                    readOnly={readOnly}
                    onChange={(e) => change(i, 'limit', e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Limit ${i + 1}: window in seconds`}
                    type="number"
                    min={1}
                    max={86_400}
                    value={r.windowSeconds}
                    readOnly={readOnly}
                    onChange={(e) => change(i, 'windowSeconds', e.target.value)}
                  />
                </td>
                {!readOnly && (
                  <td>
                    <button
                      type="button"
                      className="button"
                      aria-label={`Remove limit ${r.name || i + 1}`}
                      onClick={() => setRows(rows.filter((_, j) => j !== i))}
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {!readOnly && (
        <div className="actions">
          <button
            type="button"
            className="button"
            disabled={rows.length >= MAX_LIMITS}
            onClick={() => setRows([...rows, { name: '', limit: '', windowSeconds: '60' }])}
          >
            Add a limit
          </button>
          <button type="submit" className="button" disabled={busy || JSON.stringify(rows) === initial}>
            {busy ? 'Saving…' : 'Save rate limits'}
          </button>
        </div>
      )}
    </form>
  );
}
