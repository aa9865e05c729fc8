import { useState } from 'react';
import { ErrorBox, Loading } from '@/components/ui/Feedback';
import {
  loadLeastPrivilege,
  reduceToUsed,
  shadow,
  undoReduction,
  type LeastPrivilegeShadow,
} from '@/features/api-keys/api/least-privilege';
import { ApiError, errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';

const DAYS = [7, 30, 90] as const;

/**
 * The key's permissions against what it used (issue 20): each granted permission with its evidence, a shadow run of a
 * smaller set, and "reduce to what it used" with its undo. Nothing changes without a click here.
 */
export function LeastPrivilegePanel({ keyId, onChanged }: { keyId: string; onChanged: () => void }) {
  const [days, setDays] = useState<number>(30);
  const report = useAsync((signal) => loadLeastPrivilege(keyId, days, signal), [keyId, days]);
  const [proposed, setProposed] = useState<string[] | undefined>();
  const [trial, setTrial] = useState<LeastPrivilegeShadow | undefined>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | undefined>();

  if (report.loading && !report.data) return <Loading label="Reading the key's usage…" />;
  // not available for this key (not active, or not visible): the rest of the page says why
  if (report.error instanceof ApiError && [404, 409].includes(report.error.problem.status)) return null;
  if (report.error || !report.data) return <ErrorBox error={report.error} onRetry={report.reload} />;
  const r = report.data;
  const kept = proposed ?? r.suggestedPermissions;

  async function act(work: () => Promise<string>) {
    setBusy(true);
    setFailure(undefined);
    setMessage(undefined);
    try {
      setMessage(await work());
      setTrial(undefined);
      setProposed(undefined);
      report.reload();
      onChanged();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function tryShadow() {
    setBusy(true);
    setFailure(undefined);
    try {
      setTrial(await shadow(keyId, kept, days));
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const toggle = (p: string) => {
    setTrial(undefined);
    setProposed(kept.includes(p) ? kept.filter((x) => x !== p) : [...kept, p].sort());
  };
  const last = r.lastReduction;

  return (
    <section className="card least-privilege" aria-labelledby="least-privilege-title">
      <h2 id="least-privilege-title">Permissions it uses</h2>
      <label>
        Window{' '}
        <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Window">
          {DAYS.map((d) => (
            <option key={d} value={d}>
              Last {d} days
            </option>
          ))}
        </select>
      </label>
      <p role="status" className="least-privilege__summary">
        {r.unusedPermissions.length === 0
          ? `This key used every permission it has in the last ${r.days} days.`
          : `${r.unusedPermissions.length} of ${r.permissions.length} permissions were not used in the last ${r.days} days.`}{' '}
        {r.requests} requests, observed since {formatDateTime(r.observedSince)}.
      </p>
      {r.unattributedRequests > 0 && (
        <p className="least-privilege__warning">
          {r.unattributedRequests} requests name no permission (a gateway verifying this key, whose checked permissions
          are not metered): check with its gateway before reducing.
        </p>
      )}
      <p className="hint">Field rights are not metered; a reduction leaves them as they work now.</p>
      <div className="table-wrap">
        <table>
          <caption>Granted permissions, with the evidence</caption>
          <thead>
            <tr>
              <th scope="col">Keep</th>
              <th scope="col">Permission</th>
              <th scope="col">Requests</th>
              <th scope="col">Last used</th>
              <th scope="col">Operations</th>
            </tr>
          </thead>
          <tbody>
            {r.permissions.map((p) => (
              <tr key={p.permission} data-permission={p.permission} className={p.used ? '' : 'least-privilege__unused'}>
                <td>
                  <input
                    type="checkbox"
                    checked={kept.includes(p.permission)}
                    onChange={() => toggle(p.permission)}
                    aria-label={`Keep ${p.permission} in the trial`}
                  />
                </td>
                <td>
                  <code>{p.permission}</code>
                  {!p.used && <span className="pill"> Unused</span>}
                  {!p.effective && <span className="pill"> Owner no longer holds it</span>}
                </td>
                <td>{p.count}</td>
                <td>{p.used ? formatDateTime(p.lastUsedAt) : 'Never in the window'}</td>
                <td>{p.operations.map((o) => `${o.operationId} (${o.count})`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-actions">
        <button type="button" className="button" disabled={busy} onClick={() => void tryShadow()}>
          Try the ticked set (shadow mode)
        </button>
        {r.reducible && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                const c = await reduceToUsed(keyId, r.suggestedPermissions, r.days);
                return `Reduced to ${c.key.permissions.join(', ') || 'no permissions'}. You can undo it below.`;
              })
            }
          >
            Reduce to what it used
          </button>
        )}
      </div>
      {trial && (
        <p role="status" className="least-privilege__trial">
          {trial.wouldRefuse === 0
            ? `With only ${trial.proposedPermissions.join(', ') || 'no permissions'}, none of the last ${trial.days} days' ${trial.requests} requests would have been refused.`
            : `With only ${trial.proposedPermissions.join(', ') || 'no permissions'}, ${trial.wouldRefuse} of the last ${trial.days} days' ${trial.requests} requests would have been refused: ${trial.refusedByPermission
                .map((x) => `${x.permission} ${x.count}`)
                .join(', ')}.`}
        </p>
      )}
      {last && (
        <p className="least-privilege__last">
          Reduced on {formatDateTime(last.reducedAt)} (it had {last.previousPermissions.join(', ') || 'no permissions'}
          {last.previousPermissionMode === 'INHERIT' ? ', following its owner' : ''}).{' '}
          {last.undoable ? (
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await undoReduction(keyId, last.id);
                  return 'The previous permissions are back.';
                })
              }
            >
              Undo the reduction
            </button>
          ) : (
            `Undone on ${formatDateTime(last.undoneAt)}.`
          )}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {failure && (
        <p role="alert" className="form-error">
          {failure}
        </p>
      )}
    </section>
  );
}
