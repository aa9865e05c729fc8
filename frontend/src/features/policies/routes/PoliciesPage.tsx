import { useRef, useState, type FormEvent } from 'react';
import { ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { ErrorSummary, NumberField } from '@/components/ui/Field';
import { LeaveConfirm } from '@/components/ui/LeaveConfirm';
import { loadPolicies, savePolicies, type Policies } from '@/features/policies/api/policies';
import { SignInPolicySection } from '@/features/policies/components/SignInPolicyForm';
import { ApiError, errorMessage } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { clearDraft, loadDraft, useDraft } from '@/lib/drafts';
import { useSummaryFocus } from '@/lib/form-errors';
import { useAsync } from '@/lib/use-async';
import { useLeaveGuard } from '@/lib/use-leave-guard';
import '@/features/policies/routes/policies.css';
import { PolicyCheck } from '@/features/policies/components/PolicyCheck';

type Row = { id: number; value: string };
type Form = {
  maxDays: string;
  expiryRequired: boolean;
  ranges: Row[];
  rateDefault: string;
  rateCeiling: string;
  maxKeys: string;
  requireIfMatch: boolean;
  requireOnBehalfOf: boolean;
  /** Empty: unknown to this form (the server keeps what it has). */
  handoffHours: string;
  /** Empty: unknown to this form (the server keeps what it has). */
  unusedDays: string;
  leakResponse: '' | 'REVOKE' | 'DISABLE' | 'NOTIFY';
};
type Errors = { fields: Record<string, string>; rows: Record<number, string>; ranges?: string; form?: string };

const NO_ERRORS: Errors = { fields: {}, rows: {} };
const SCALAR_FIELDS = [
  'maxKeyLifetimeDays',
  'expiryRequired',
  'rateLimitDefaultPerMinute',
  'rateLimitCeilingPerMinute',
  'maxKeysPerUser',
  'requireIfMatch',
  'requireOnBehalfOf',
  'handoffLifetimeHours',
  'unusedKeyDays',
  'leakResponse',
];
const LABELS: Record<keyof Policies, string> = {
  maxKeyLifetimeDays: 'maximum key lifetime',
  expiryRequired: 'expiry required',
  allowedIpRanges: 'allowed IP ranges',
  rateLimitDefaultPerMinute: 'default requests per minute',
  rateLimitCeilingPerMinute: 'ceiling',
  maxKeysPerUser: 'keys per user',
  requireIfMatch: 'require If-Match',
  requireOnBehalfOf: 'require On-Behalf-Of',
  handoffLifetimeHours: 'hand-off link lifetime',
  unusedKeyDays: 'unused key reminder',
  leakResponse: 'response to a leaked secret',
  approvalApiTypes: 'API types that need approval',
  approvalPermissions: 'permissions that need approval',
  approvalWhenOwnerNotAdmin: 'approval when the owner is not an administrator',
};

/** The organization's key policies (GET/PUT /api/v1/organization/policies); read-only without policies:manage. */
export function PoliciesPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'policies:manage');
  const policies = useAsync((signal) => loadPolicies(signal), []);
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Organization policies">
        Rules every API key of the organization must follow. They are checked when a key is created, changed or rotated.
      </PageHeader>
      {policies.loading ? (
        <Loading label="Loading policies…" />
      ) : policies.error || !policies.data ? (
        <ErrorBox error={policies.error} onRetry={policies.reload} />
      ) : (
        <PoliciesForm initial={policies.data} canManage={canManage} draftId={`policies.${me.user.id}`} />
      )}
      <SignInPolicySection canManage={canManage} />
    </section>
  );
}

let nextRowId = 1;
const row = (value: string): Row => ({ id: nextRowId++, value });
const text = (n: number | null | undefined) => (n == null ? '' : String(n));

function toForm(p: Policies): Form {
  return {
    maxDays: text(p.maxKeyLifetimeDays),
    expiryRequired: p.expiryRequired,
    ranges: p.allowedIpRanges.map(row),
    rateDefault: text(p.rateLimitDefaultPerMinute),
    rateCeiling: text(p.rateLimitCeilingPerMinute),
    maxKeys: text(p.maxKeysPerUser),
    requireIfMatch: p.requireIfMatch ?? false,
    requireOnBehalfOf: p.requireOnBehalfOf ?? false,
    handoffHours: text(p.handoffLifetimeHours),
    unusedDays: text(p.unusedKeyDays),
    leakResponse: p.leakResponse ?? '',
  };
}

/** What the form means, for comparing: blank rows and surrounding spaces do not count as changes. */
function meaning(f: Form) {
  return JSON.stringify([
    f.maxDays.trim(),
    f.expiryRequired,
    f.ranges.map((r) => r.value.trim()).filter(Boolean),
    f.rateDefault.trim(),
    f.rateCeiling.trim(),
    f.maxKeys.trim(),
    f.requireIfMatch,
    f.requireOnBehalfOf,
    f.handoffHours.trim(),
    f.unusedDays.trim(),
    f.leakResponse,
  ]);
}

const number = (s: string) => (s.trim() === '' ? null : Number(s));

/** The form as a draft (lib/drafts): the range rows' values without their ids. */
const draftOf = (f: Form) => ({ ...f, ranges: f.ranges.map((r) => r.value) });
function fromDraft(d: Partial<ReturnType<typeof draftOf>>, base: Form): Form {
  const str = (v: unknown, b: string) => (typeof v === 'string' ? v : b);
  const bool = (v: unknown, b: boolean) => (typeof v === 'boolean' ? v : b);
  return {
    maxDays: str(d.maxDays, base.maxDays),
    expiryRequired: bool(d.expiryRequired, base.expiryRequired),
    ranges: Array.isArray(d.ranges) ? d.ranges.map((v) => row(String(v))) : base.ranges,
    rateDefault: str(d.rateDefault, base.rateDefault),
    rateCeiling: str(d.rateCeiling, base.rateCeiling),
    maxKeys: str(d.maxKeys, base.maxKeys),
    requireIfMatch: bool(d.requireIfMatch, base.requireIfMatch),
    requireOnBehalfOf: bool(d.requireOnBehalfOf, base.requireOnBehalfOf),
    handoffHours: str(d.handoffHours, base.handoffHours),
    unusedDays: str(d.unusedDays, base.unusedDays),
    leakResponse: (['', 'REVOKE', 'DISABLE', 'NOTIFY'] as const).find((v) => v === d.leakResponse) ?? base.leakResponse,
  };
}

/** The summary's words for each place an error can sit (the form's own labels). */
const SUMMARY_LABELS: Record<string, string> = {
  maxKeyLifetimeDays: 'Maximum key lifetime (days)',
  expiryRequired: 'Every key must have an expiry date',
  allowedIpRanges: 'Allowed IP ranges',
  rateLimitDefaultPerMinute: 'Default requests per minute',
  rateLimitCeilingPerMinute: 'Ceiling: requests per minute',
  maxKeysPerUser: 'Maximum keys per user',
  requireIfMatch: 'Require If-Match',
  requireOnBehalfOf: 'Require On-Behalf-Of',
};

export function PoliciesForm({
  initial,
  canManage,
  draftId = 'policies',
}: {
  initial: Policies;
  canManage: boolean;
  /** Where unsaved changes are kept if the session ends (lib/drafts): per signed-in user. */
  draftId?: string;
}) {
  const [saved, setSaved] = useState(() => toForm(initial));
  // Unsaved changes from before the session ended come back (only what differs from what is stored).
  const [restored] = useState(() => {
    const draft = canManage ? loadDraft(draftId) : undefined;
    const form = draft ? fromDraft(draft, saved) : undefined;
    return form && meaning(form) !== meaning(saved) ? form : undefined;
  });
  const [form, setForm] = useState(restored ?? saved);
  const { formRef, failed } = useSummaryFocus();
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'warning'; text: string }>();
  const [busy, setBusy] = useState(false);
  const focusRow = useRef<number>(undefined);
  const addButton = useRef<HTMLButtonElement>(null);
  const dirty = meaning(form) !== meaning(saved);
  const { blocker } = useLeaveGuard(canManage && dirty);
  useDraft(draftId, draftOf(form), canManage && dirty);

  const update = (change: Partial<Form>) => {
    setForm((f) => ({ ...f, ...change }));
    setNotice(undefined);
  };
  const setRange = (id: number, value: string) => {
    update({ ranges: form.ranges.map((r) => (r.id === id ? { ...r, value } : r)) });
    if (errors.rows[id]) setErrors((e) => ({ ...e, rows: { ...e.rows, [id]: '' } }));
  };
  const addRange = () => {
    const added = row('');
    focusRow.current = added.id;
    update({ ranges: [...form.ranges, added] });
  };
  const removeRange = (id: number) => {
    update({ ranges: form.ranges.filter((r) => r.id !== id) });
    addButton.current?.focus();
  };

  const rateDefault = number(form.rateDefault);
  const rateCeiling = number(form.rateCeiling);
  const defaultAboveCeiling = rateDefault != null && rateCeiling != null && rateDefault > rateCeiling;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors(NO_ERRORS);
    setNotice(undefined);
    const sent = form.ranges.filter((r) => r.value.trim() !== '');
    const body: Policies = {
      maxKeyLifetimeDays: number(form.maxDays),
      expiryRequired: form.expiryRequired,
      allowedIpRanges: sent.map((r) => r.value.trim()),
      rateLimitDefaultPerMinute: rateDefault,
      rateLimitCeilingPerMinute: rateCeiling,
      // empty: the server keeps its current cap (absent on a save)
      maxKeysPerUser: number(form.maxKeys) ?? undefined,
      requireIfMatch: form.requireIfMatch,
      requireOnBehalfOf: form.requireOnBehalfOf,
      // empty: the server keeps its current value (absent on a save)
      handoffLifetimeHours: number(form.handoffHours) ?? undefined,
      unusedKeyDays: number(form.unusedDays) ?? undefined,
      leakResponse: form.leakResponse || undefined,
    };
    setBusy(true);
    try {
      const result = await savePolicies(body);
      const next = toForm(result);
      setSaved(next);
      setForm(next);
      // Say so if the server kept something other than what was sent (for example a setting it does not know yet).
      const differing = (Object.keys(LABELS) as (keyof Policies)[]).filter(
        (k) => JSON.stringify(body[k] ?? null) !== JSON.stringify(result[k] ?? null),
      );
      setNotice(
        differing.length
          ? {
              kind: 'warning',
              text: `Policies saved, but the server kept other values for: ${differing.map((k) => LABELS[k]).join(', ')}. The form shows what it kept.`,
            }
          : { kind: 'ok', text: 'Policies saved. They apply to every key created, changed or rotated from now on.' },
      );
    } catch (error) {
      setErrors(placeError(error, sent));
      failed();
    } finally {
      setBusy(false);
    }
  };

  const rangeNumber = (id: number) => form.ranges.findIndex((r) => r.id === id) + 1;
  const summaryErrors: Record<string, string> = { ...errors.fields };
  const summaryLabels = { ...SUMMARY_LABELS };
  for (const [id, message] of Object.entries(errors.rows)) {
    if (!message) continue;
    summaryErrors[`cidr-${id}`] = message;
    summaryLabels[`cidr-${id}`] = `IP range ${rangeNumber(Number(id))}`;
  }
  if (errors.ranges) summaryErrors.allowedIpRanges = errors.ranges;

  return (
    <form ref={formRef} className="card form policies" onSubmit={submit} aria-label="Key policies" noValidate>
      {!canManage && (
        <p className="alert alert--info">
          You can view these policies but not change them: that needs the “Set key lifetime, expiry, IP ranges and rate
          limits” permission (<code>policies:manage</code>). Ask an account owner or administrator.
        </p>
      )}
      {restored && dirty && (
        <p className="alert alert--info" role="status">
          Restored your unsaved changes: check them and save, or discard them.
        </p>
      )}
      <ErrorSummary formError={errors.form} fieldErrors={summaryErrors} labels={summaryLabels} />
      <fieldset className="policies__body" disabled={!canManage}>
        <section className="policy-section" aria-labelledby="policy-lifetime">
          <h2 id="policy-lifetime">Key lifetime</h2>
          <div className="form__row">
            <NumberField
              name="maxKeyLifetimeDays"
              label="Maximum key lifetime (days)"
              error={errors.fields.maxKeyLifetimeDays}
              hint="Empty: keys may live as long as their creator chooses. At most 3650 days."
              min={1}
              max={3650}
              placeholder="No limit"
              value={form.maxDays}
              onChange={(v) => update({ maxDays: v })}
            />
            <PolicyCheck
              field="expiryRequired"
              error={errors.fields.expiryRequired}
              hintId="policy-expiry-hint"
              label="Every key must have an expiry date"
              hint="Without this, keys may be created that never expire (unless a maximum lifetime is set)."
              checked={form.expiryRequired}
              onChange={(v) => update({ expiryRequired: v })}
            />
          </div>
        </section>

        <section className="policy-section" aria-labelledby="policy-writes">
          <h2 id="policy-writes">Writes through the API</h2>
          <div className="form__row">
            <PolicyCheck
              hintId="policy-if-match-hint"
              label="Changes and deletes of people records must name the version they change"
              hint={
                <>
                  Callers must send <code>If-Match</code> with the record&apos;s ETag, so nobody overwrites a change
                  they have not seen.
                </>
              }
              checked={form.requireIfMatch}
              onChange={(v) => update({ requireIfMatch: v })}
            />
            <PolicyCheck
              hintId="policy-on-behalf-hint"
              label="Writes made with a key must name the person they act for"
              hint={
                <>
                  Partners must send <code>On-Behalf-Of</code> with a user of this organization; the write is allowed
                  only if both the key and that user may make it, and the audit log names both.
                </>
              }
              checked={form.requireOnBehalfOf}
              onChange={(v) => update({ requireOnBehalfOf: v })}
            />
          </div>
        </section>

        <section className="policy-section" aria-labelledby="policy-ranges" data-field="allowedIpRanges">
          <h2 id="policy-ranges">Allowed IP ranges</h2>
          <p className="field__hint" id="policy-ranges-hint">
            When you list ranges, every key needs an IP allowlist inside them. Use CIDR notation, such as{' '}
            <code>203.0.113.0/24</code> or <code>2001:db8::/32</code>. No ranges: keys may be used from anywhere.
          </p>
          {form.ranges.length === 0 ? (
            <p className="policies__none">Any IP address may be used.</p>
          ) : (
            <ul className="cidr-list" aria-label="Allowed IP ranges">
              {form.ranges.map((r, i) => {
                const error = errors.rows[r.id];
                const errorId = `cidr-error-${r.id}`;
                return (
                  <li key={r.id} className={error ? 'cidr-row field--invalid' : 'cidr-row'} data-field={`cidr-${r.id}`}>
                    <div className="cidr-row__controls">
                      <label htmlFor={`cidr-${r.id}`} className="visually-hidden">
                        IP range {i + 1}
                      </label>
                      <input
                        id={`cidr-${r.id}`}
                        ref={(el) => {
                          // A row just added gets the focus as soon as it exists.
                          if (el && focusRow.current === r.id) {
                            focusRow.current = undefined;
                            el.focus();
                          }
                        }}
                        className="mono"
                        spellCheck={false}
                        autoComplete="off"
                        placeholder="203.0.113.0/24"
                        value={r.value}
                        aria-invalid={error ? true : undefined}
                        aria-describedby={error ? errorId : 'policy-ranges-hint'}
                        onChange={(e) => setRange(r.id, e.target.value)}
                      />
                      {canManage && (
                        <button
                          type="button"
                          className="button"
                          onClick={() => removeRange(r.id)}
                          aria-label={`Remove IP range ${i + 1}`}
                        >
                          Remove
                        </button>
                      )}
                    </div>
                    {error && (
                      <p id={errorId} className="field__error" role="alert">
                        {error}
                      </p>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {errors.ranges && (
            <p className="field__error" role="alert">
              {errors.ranges}
            </p>
          )}
          {canManage && (
            <div>
              <button type="button" className="button button--small" onClick={addRange} ref={addButton}>
                + Add IP range
              </button>
            </div>
          )}
        </section>

        <section className="policy-section" aria-labelledby="policy-rates">
          <h2 id="policy-rates">Rate limits</h2>
          <div className="form__row">
            <NumberField
              name="rateLimitDefaultPerMinute"
              label="Default requests per minute"
              error={errors.fields.rateLimitDefaultPerMinute}
              hint="For keys without their own limit. Empty: each API type's own default."
              min={1}
              placeholder="API type default"
              value={form.rateDefault}
              onChange={(v) => update({ rateDefault: v })}
            />
            <NumberField
              name="rateLimitCeilingPerMinute"
              label="Ceiling: requests per minute"
              error={errors.fields.rateLimitCeilingPerMinute}
              hint="No key may make more requests per minute than this. Empty: no ceiling."
              min={1}
              placeholder="No ceiling"
              value={form.rateCeiling}
              onChange={(v) => update({ rateCeiling: v })}
            />
          </div>
          {defaultAboveCeiling && (
            <p className="alert alert--warning policies__warning" role="status">
              The default ({rateDefault?.toLocaleString()} per minute) is above the ceiling (
              {rateCeiling?.toLocaleString()} per minute): keys would be held to the ceiling. Lower the default or raise
              the ceiling.
            </p>
          )}
        </section>

        <section className="policy-section" aria-labelledby="policy-leaks">
          <h2 id="policy-leaks">Hand-off links and leaked keys</h2>
          <div className="form__row">
            <NumberField
              label="Hand-off link lifetime (hours)"
              error={errors.fields.handoffLifetimeHours}
              hint="How long a one-time link to a new key works if nobody opens it. Default 72, at most 168 (7 days)."
              min={1}
              max={168}
              placeholder="72"
              value={form.handoffHours}
              onChange={(v) => update({ handoffHours: v })}
            />
            <NumberField
              label="Unused key reminder (days)"
              error={errors.fields.unusedKeyDays}
              hint="A key not used for this many days is flagged in API Management and raises a reminder. Default 90."
              min={1}
              max={3650}
              placeholder="90"
              value={form.unusedDays}
              onChange={(v) => update({ unusedDays: v })}
            />
            <div className="field">
              <label className="field__label" htmlFor="policy-leak-response">
                When a key&apos;s secret is reported leaked
              </label>
              <select
                id="policy-leak-response"
                aria-describedby="policy-leak-hint"
                value={form.leakResponse}
                onChange={(e) => update({ leakResponse: e.target.value as Form['leakResponse'] })}
              >
                {form.leakResponse === '' && <option value="">Keep the current setting</option>}
                <option value="REVOKE">Revoke the key (recommended)</option>
                <option value="DISABLE">Disable the key (an administrator can enable it)</option>
                <option value="NOTIFY">Only tell its owner and the administrators</option>
              </select>
              <p id="policy-leak-hint" className="field__hint">
                Reports come from GitHub secret scanning and the public revocation API. A leaked old secret in its
                rotation grace always stops; the new one keeps working unless the key is revoked.
              </p>
            </div>
          </div>
        </section>

        <section className="policy-section" aria-labelledby="policy-key-count">
          <h2 id="policy-key-count">Keys per user</h2>
          <div className="form__row">
            <NumberField
              name="maxKeysPerUser"
              label="Maximum keys per user"
              error={errors.fields.maxKeysPerUser}
              hint="Keys one user may hold (revoked keys do not count); each key has its own rate limit. Default 1,000."
              min={1}
              max={1000000}
              placeholder="1000"
              value={form.maxKeys}
              onChange={(v) => update({ maxKeys: v })}
            />
          </div>
        </section>
      </fieldset>

      {notice && (
        <p className={notice.kind === 'ok' ? 'alert alert--success' : 'alert alert--warning'} role="status">
          {notice.text}
        </p>
      )}
      {canManage && (
        <div className="actions">
          {dirty && <span className="muted small policies__unsaved">Unsaved changes</span>}
          <button
            type="button"
            className="button"
            disabled={!dirty || busy}
            onClick={() => {
              setForm(saved);
              setErrors(NO_ERRORS);
            }}
          >
            Discard changes
          </button>
          <button type="submit" className="button button--primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save policies'}
          </button>
        </div>
      )}
      <LeaveConfirm
        blocker={blocker}
        message="Your policy changes are not saved. Leave without saving them?"
        // leaving on purpose discards them; an expired session unmounts the page without asking, keeping the draft
        onLeave={() => clearDraft(draftId)}
      />
    </form>
  );
}

/**
 * Puts a save error where it belongs: "allowedIpRanges.1" (the contract's check) names the row sent second; a bare
 * "allowedIpRanges" (the server's CIDR parse) is matched to the row whose value the detail quotes.
 */
function placeError(error: unknown, sent: Row[]): Errors {
  if (!(error instanceof ApiError)) return { ...NO_ERRORS, form: errorMessage(error) };
  const message = error.problem.detail ?? error.problem.title;
  const [name, index] = (error.problem.field ?? '').replace(/^\//, '').split(/[./]/);
  if (name === 'allowedIpRanges') {
    let target = index !== undefined && /^\d+$/.test(index) ? sent[Number(index)] : undefined;
    if (!target) {
      const quoted = [...message.matchAll(/'([^']+)'/g)].map((m) => m[1]);
      target = sent.find((r) => quoted.includes(r.value.trim()));
    }
    return target ? { ...NO_ERRORS, rows: { [target.id]: message } } : { ...NO_ERRORS, ranges: message };
  }
  if (name && SCALAR_FIELDS.includes(name)) return { ...NO_ERRORS, fields: { [name]: message } };
  return { ...NO_ERRORS, form: message };
}
