import { Link } from 'react-router';
import { formatCount, OUTCOMES, percent, type Totals, type Usage } from '@/features/usage/api/usage';

/** The range's totals; each outcome carries its colour, so this is also the chart's legend. */
export function UsageTotals({ totals }: { totals: Totals }) {
  return (
    <dl className="usage-totals" aria-label="Totals">
      <div className="usage-totals__item usage-totals__item--all">
        <dt>Requests</dt>
        <dd>{formatCount(totals.total)}</dd>
      </div>
      {OUTCOMES.map((o) => (
        <div key={o.key} className="usage-totals__item">
          <dt>
            <span className="usage-swatch" style={{ background: o.color }} aria-hidden="true" />
            {o.label}
          </dt>
          <dd>
            {formatCount(totals[o.key])} <span className="muted small">{percent(totals[o.key], totals.total)}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Requests per operation (every outcome counted), largest first, with a bar for its share. */
export function OperationsBreakdown({ operations }: { operations: Usage['operations'] }) {
  const total = operations.reduce((sum, o) => sum + o.count, 0);
  const max = operations[0]?.count ?? 0;
  return (
    <section className="card usage-section" aria-labelledby="usage-operations">
      <h2 id="usage-operations">Operations</h2>
      {operations.length === 0 ? (
        <p className="muted">No operations were called in this range.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Requests per operation</caption>
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Requests</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {operations.map((o) => (
                <tr key={o.operation}>
                  <td data-label="Operation">
                    <code>{o.operation}</code>
                  </td>
                  <td data-label="Requests">{formatCount(o.count)}</td>
                  <td data-label="Share">
                    <ShareBar value={o.count} max={max} label={percent(o.count, total)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The organization's busiest keys in the range, each linking to its own usage. */
export function TopKeys({ keys, total }: { keys: NonNullable<Usage['topKeys']>; total: number }) {
  const max = keys[0]?.count ?? 0;
  return (
    <section className="card usage-section" aria-labelledby="usage-top-keys">
      <h2 id="usage-top-keys">Top keys</h2>
      {keys.length === 0 ? (
        <p className="muted">No key was used in this range.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">The busiest keys in this range</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Requests</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.keyId}>
                  <td data-label="Key">
                    <Link to={`/api-keys/${k.keyId}/usage`}>{k.name}</Link>
                  </td>
                  <td data-label="Requests">{formatCount(k.count)}</td>
                  <td data-label="Share">
                    <ShareBar value={k.count} max={max} label={percent(k.count, total)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ShareBar({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <span className="share">
      <span className="share__track" aria-hidden="true">
        <span className="share__fill" style={{ width: `${max ? (value / max) * 100 : 0}%` }} />
      </span>
      <span className="share__label">{label}</span>
    </span>
  );
}
