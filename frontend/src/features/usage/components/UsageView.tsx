import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { EmptyState, ErrorBox, Loading } from '@/components/ui/Feedback';
import { fillBuckets, rangeById, totalsOf, type Range, type Usage } from '@/features/usage/api/usage';
import { RangePicker } from '@/features/usage/components/RangePicker';
import { UsageChart } from '@/features/usage/components/UsageChart';
import { OperationsBreakdown, TopKeys, UsageTotals } from '@/features/usage/components/UsageSummary';
import type { AsyncState } from '@/lib/use-async';
import './usage.css';

/** The range lives in the address (?range=7d), so a view can be shared and survives a reload. */
export function useRange(): [Range, (id: Range['id']) => void] {
  const [params, setParams] = useSearchParams();
  const range = rangeById(params.get('range'));
  const set = (id: Range['id']) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (id === '24h') next.delete('range');
        else next.set('range', id);
        return next;
      },
      { replace: true },
    );
  return [range, set];
}

type Props = {
  usage: AsyncState<Usage>;
  range: Range;
  onRange: (id: Range['id']) => void;
  /** "this key's" or "the organization's": used in the chart's text alternative. */
  subject: string;
  /** What to do when the range has no requests. */
  empty: ReactNode;
};

export function UsageView({ usage, range, onRange, subject, empty }: Props) {
  const data = usage.data;
  const totals = data ? totalsOf(data) : undefined;
  return (
    <>
      <div className="usage-toolbar">
        <RangePicker value={range.id} onChange={onRange} />
        <button type="button" className="button button--small" onClick={usage.reload} disabled={usage.loading}>
          Refresh
        </button>
      </div>
      {usage.error ? (
        <ErrorBox error={usage.error} onRetry={usage.reload} />
      ) : !data || !totals ? (
        <Loading label="Loading usage…" />
      ) : (
        <div className="usage-body" aria-busy={usage.loading}>
          <UsageTotals totals={totals} />
          {totals.total === 0 ? (
            <EmptyState title="No requests in this range" icon="∅">
              {empty}
            </EmptyState>
          ) : (
            <>
              <UsageChart
                points={fillBuckets(data)}
                granularity={data.granularity}
                range={range}
                totals={totals}
                subject={subject}
              />
              <div className="usage-columns">
                <OperationsBreakdown operations={data.operations} />
                {data.topKeys && <TopKeys keys={data.topKeys} total={totals.total} />}
              </div>
            </>
          )}
        </div>
      )}
    </>
  );
}
