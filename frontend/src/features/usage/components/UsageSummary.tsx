import type { ReactNode } from 'react';
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
  return (
    <ShareTable
      id="usage-operations"
      title="Operations"
      empty="No operations were called in this range."
      caption="Requests per operation"
      column="Operation"
      total={operations.reduce((sum, o) => sum + o.count, 0)}
      rows={operations.map((o) => ({ id: o.operation, label: <code>{o.operation}</code>, count: o.count }))}
    />
  );
}

/** The organization's busiest keys in the range, each linking to its own usage. */
export function TopKeys({ keys, total }: { keys: NonNullable<Usage['topKeys']>; total: number }) {
  return (
    <ShareTable
      id="usage-top-keys"
      title="Top keys"
      empty="No key was used in this range."
      caption="The busiest keys in this range"
      column="Key"
      total={total}
      rows={keys.map((k) => ({
        id: k.keyId,
        label: <Link to={`/api-keys/${k.keyId}/usage`}>{k.name}</Link>,
        count: k.count,
      }))}
    />
  );
}

type ShareTableProps = {
  id: string;
  title: string;
  empty: string;
  caption: string;
  /** The first column's header: what each row counts. */
  column: string;
  total: number;
  /** Largest first: the first row's bar is full. */
  rows: { id: string; label: ReactNode; count: number }[];
};

/** A card with a table of counts, each with its share of the total as a bar. */
function ShareTable({ id, title, empty, caption, column, total, rows }: ShareTableProps) {
  const max = rows[0]?.count ?? 0;
  return (
    <section className="card usage-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">{column}</th>
                <th scope="col">Requests</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td data-label={column}>{r.label}</td>
                  <td data-label="Requests">{formatCount(r.count)}</td>
                  <td data-label="Share">
                    <ShareBar value={r.count} max={max} label={percent(r.count, total)} />
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
