import { useId, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import {
  bucketLabel,
  formatCount,
  OUTCOMES,
  type Granularity,
  type Point,
  type Range,
  type Totals,
} from '@/features/usage/api/usage';

type Props = { points: Point[]; granularity: Granularity; range: Range; totals: Totals; subject: string };

/**
 * Requests per bucket, stacked by outcome. The drawing is one image with a summary for assistive technology; the
 * numbers behind it are a table, always in the accessibility tree and shown on request.
 */
export function UsageChart({ points, granularity, range, totals, subject }: Props) {
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  const data = points.map((p) => ({ ...p, label: bucketLabel(p.start, granularity) }));
  const unit = granularity === 'hour' ? 'hour' : 'day';
  const busiest = points.reduce<Point | undefined>((best, p) => (p.total > (best?.total ?? 0) ? p : best), undefined);
  const summary =
    `Stacked bar chart of ${subject} requests per ${unit}, ${range.label.toLowerCase()}: ` +
    OUTCOMES.map((o) => `${formatCount(totals[o.key])} ${o.label.toLowerCase()}`).join(', ') +
    (busiest
      ? `. Busiest ${unit}: ${bucketLabel(busiest.start, granularity, true)} with ${formatCount(busiest.total)}`
      : '') +
    '. Every value is in the data table.';

  return (
    <figure className="usage-chart">
      <figcaption className="usage-chart__caption">
        <span>Requests per {unit}, by outcome</span>
        <button
          type="button"
          className="button button--small"
          aria-expanded={showTable}
          aria-controls={tableId}
          onClick={() => setShowTable((s) => !s)}
        >
          {showTable ? 'Hide data table' : 'Show data table'}
        </button>
      </figcaption>
      <div className="usage-chart__plot" role="img" aria-label={summary}>
        <BarChart
          data={data}
          responsive
          accessibilityLayer={false}
          style={{ width: '100%', height: '100%' }}
          margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
          barCategoryGap="15%"
        >
          <CartesianGrid vertical={false} stroke="#e5e7eb" />
          <XAxis dataKey="label" tick={{ fill: '#4b5563', fontSize: 12 }} tickLine={false} minTickGap={16} />
          <YAxis
            allowDecimals={false}
            tick={{ fill: '#4b5563', fontSize: 12 }}
            tickLine={false}
            axisLine={false}
            width={44}
          />
          <Tooltip
            cursor={{ fill: 'rgb(37 99 235 / 0.08)' }}
            labelFormatter={(_, payload) => {
              // recharts types a point's data as any: it is one of our buckets
              const start = (payload?.[0]?.payload as { start?: unknown } | undefined)?.start;
              return typeof start === 'number' ? bucketLabel(start, granularity, true) : '';
            }}
            formatter={(value) => formatCount(Number(value))}
          />
          {OUTCOMES.map((o) => (
            <Bar
              key={o.key}
              dataKey={o.key}
              name={o.label}
              stackId="outcome"
              fill={o.color}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </div>
      {/* Shown, it scrolls on its own: a named, focusable region so the keyboard can scroll it too. */}
      <div
        id={tableId}
        className={showTable ? 'table-wrap usage-chart__table' : 'visually-hidden'}
        {...(showTable ? { role: 'region', 'aria-label': 'Data table', tabIndex: 0 } : {})}
      >
        <table className="table table--numbers">
          <caption className="visually-hidden">
            {subject} requests per {unit}, {range.label.toLowerCase()}
          </caption>
          <thead>
            <tr>
              <th scope="col">{granularity === 'hour' ? 'Hour' : 'Day (UTC)'}</th>
              {OUTCOMES.map((o) => (
                <th key={o.key} scope="col">
                  {o.label}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.start}>
                <th scope="row" data-label={granularity === 'hour' ? 'Hour' : 'Day'}>
                  {bucketLabel(p.start, granularity, true)}
                </th>
                {OUTCOMES.map((o) => (
                  <td key={o.key} data-label={o.label}>
                    {formatCount(p[o.key])}
                  </td>
                ))}
                <td data-label="Total">{formatCount(p.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
