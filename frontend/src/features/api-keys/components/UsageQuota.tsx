import { useState, type FormEvent } from 'react';
import { Field } from '@/components/ui/Field';
import type { ApiKey } from '@/features/api-keys/api/keys';
import { updateKey, type ApiKeyUpdate } from '@/features/api-keys/api/edit-key';
import { errorMessage, type Schemas } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';

type Period = Schemas['QuotaPeriod'];
type Quota = NonNullable<ApiKeyUpdate['quota']>;

const MAX = 1_000_000_000;
const PERIODS: Record<Period, string> = {
  DAY: 'Per day',
  WEEK: 'Per week',
  MONTH: 'Per month',
  TOTAL: 'In total (no refill)',
};

/** "750 of 1,000 left this day", or "40 of 50 uses left" for a quota that never refills. */
export function quotaLeft(q: Schemas['QuotaState']): string {
  const counts = `${q.remaining.toLocaleString()} of ${q.limit.toLocaleString()}`;
  return q.period === 'TOTAL' ? `${counts} uses left` : `${counts} left this ${q.period.toLowerCase()}`;
}

/**
 * The key's usage quota (ADR 0015): requests it may make per calendar period, or in all. Saved on its own, like the
 * named rate limits; setting it (again) starts it full. `credentialAdmin`: the user may lift what an administrator set.
 */
export function UsageQuotaEditor({ apiKey, credentialAdmin }: { apiKey: ApiKey; credentialAdmin: boolean }) {
  const [quota, setQuota] = useState(apiKey.quota);
  const [limit, setLimit] = useState(() => (apiKey.quota ? String(apiKey.quota.limit) : ''));
  const [period, setPeriod] = useState<Period>(apiKey.quota?.period ?? 'MONTH');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const readOnly = apiKey.status === 'REVOKED';
  const adminSet = !credentialAdmin && apiKey.adminRestrictions?.includes('QUOTA');

  const save = async (next: Quota | null) => {
    setNotice(undefined);
    if (next && (!Number.isInteger(next.limit) || next.limit < 1 || next.limit > MAX)) {
      setError('Requests: 1 to 1,000,000,000');
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const updated = await updateKey(apiKey.id, { quota: next });
      setQuota(updated.quota);
      if (!next) setLimit('');
      setNotice(next ? 'Quota saved: it starts full.' : 'Quota removed.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save({ limit: Number(limit), period });
  };

  return (
    <form className="card" aria-label="Usage quota" onSubmit={submit} noValidate>
      <h2>Usage quota</h2>
      {quota ? (
        <>
          <p>{quotaLeft(quota)}</p>
          <meter aria-label="Quota left" min={0} max={quota.limit} value={quota.remaining} />
          {quota.resetsAt && <p className="field__hint">Refills {formatDateTime(quota.resetsAt)}</p>}
        </>
      ) : (
        <p className="field__hint">No quota: the key’s requests are limited only by its rate limits.</p>
      )}
      {adminSet && (
        <p className="alert alert--info">An administrator set this quota: you can lower it, not raise or remove it.</p>
      )}
      {!readOnly && (
        <>
          <div className="form__row">
            <Field label="Requests" name="quota">
              {(p) => (
                <input
                  {...p}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={MAX}
                  value={limit}
                  onChange={(e) => {
                    setLimit(e.target.value);
                    setNotice(undefined);
                  }}
                />
              )}
            </Field>
            <Field label="Period">
              {(p) => (
                <select {...p} value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
                  {Object.entries(PERIODS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <p className="field__hint">Saving starts the quota full, even with the same numbers.</p>
        </>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {!readOnly && (
        <div className="actions">
          {quota && !adminSet && (
            <button type="button" className="button" disabled={busy} onClick={() => void save(null)}>
              Remove quota
            </button>
          )}
          <button type="submit" className="button" disabled={busy || !limit}>
            {busy ? 'Saving…' : 'Save quota'}
          </button>
        </div>
      )}
    </form>
  );
}
