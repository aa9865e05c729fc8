import { useState, type FormEvent } from 'react';
import { ErrorBox, Loading } from '@/components/ui/Feedback';
import { FormError, NumberField } from '@/components/ui/Field';
import { loadSignInPolicy, saveSignInPolicy, type SignInPolicy } from '@/features/policies/api/policies';
import { ApiError, errorMessage } from '@/lib/api-client';
import { useAsync } from '@/lib/use-async';
import { PolicyCheck } from '@/features/policies/components/PolicyCheck';

type Required = SignInPolicy['secondFactorRequiredFor'];
type Form = { required: Required; minutes: string; passwordAllowed: boolean };

// The contract's bounds for stepUpMinutes (SignInPolicy).
const MIN_MINUTES = 1;
const MAX_MINUTES = 720;

const CHOICES: { value: Required; label: string; hint: string }[] = [
  { value: 'NOBODY', label: 'Nobody', hint: 'A second factor is optional for everyone.' },
  {
    value: 'ADMINS',
    label: 'Administrators',
    hint: 'Account Owners, Full Admins and anyone whose access level may manage all keys, users or access levels.',
  },
  { value: 'EVERYONE', label: 'Everyone', hint: 'Every user of the organization.' },
];

const toForm = (p: SignInPolicy): Form => ({
  required: p.secondFactorRequiredFor,
  minutes: String(p.stepUpMinutes),
  passwordAllowed: p.stepUpPasswordAllowed,
});
const same = (a: Form, b: Form) =>
  a.required === b.required && a.minutes.trim() === b.minutes.trim() && a.passwordAllowed === b.passwordAllowed;

/** The sign-in policy (GET/PUT /api/v1/organization/sign-in-policy): its own form, saved on its own. */
export function SignInPolicySection({ canManage }: { canManage: boolean }) {
  const policy = useAsync((signal) => loadSignInPolicy(signal), []);
  return (
    <section className="card form policies policy-section" aria-labelledby="policy-sign-in">
      <h2 id="policy-sign-in">Sign-in</h2>
      {policy.loading ? (
        <Loading label="Loading the sign-in policy…" />
      ) : policy.error || !policy.data ? (
        <ErrorBox error={policy.error} onRetry={policy.reload} />
      ) : (
        <SignInPolicyForm initial={policy.data} canManage={canManage} />
      )}
    </section>
  );
}

function SignInPolicyForm({ initial, canManage }: { initial: SignInPolicy; canManage: boolean }) {
  const [saved, setSaved] = useState(() => toForm(initial));
  const [form, setForm] = useState(saved);
  const [minutesError, setMinutesError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const dirty = !same(form, saved);

  const update = (change: Partial<Form>) => {
    setForm((f) => ({ ...f, ...change }));
    setNotice(undefined);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMinutesError(undefined);
    setFormError(undefined);
    setNotice(undefined);
    const minutes = Number(form.minutes.trim());
    if (form.minutes.trim() === '' || !Number.isInteger(minutes) || minutes < MIN_MINUTES || minutes > MAX_MINUTES) {
      setMinutesError(`Enter a whole number of minutes from ${MIN_MINUTES} to ${MAX_MINUTES}.`);
      return;
    }
    setBusy(true);
    try {
      // A step-up refusal opens the app's step-up prompt and the save goes on once confirmed (lib/api-client).
      const result = await saveSignInPolicy({
        secondFactorRequiredFor: form.required,
        stepUpMinutes: minutes,
        stepUpPasswordAllowed: form.passwordAllowed,
      });
      const next = toForm(result);
      setSaved(next);
      setForm(next);
      setNotice('Sign-in policy saved. It applies from each user’s next request.');
    } catch (error) {
      const field = error instanceof ApiError ? (error.problem.field ?? '').replace(/^\//, '') : '';
      if (field === 'stepUpMinutes') setMinutesError(errorMessage(error));
      else setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Sign-in policy" noValidate>
      {!canManage && (
        <p className="alert alert--info">
          You can view the sign-in policy but not change it: that needs the <code>policies:manage</code> permission. Ask
          an account owner or administrator.
        </p>
      )}
      <FormError message={formError} />
      <fieldset className="policies__body" disabled={!canManage}>
        <fieldset className="field radio-group" aria-describedby="policy-second-factor-hint">
          <legend className="field__label">Require a second factor for</legend>
          {CHOICES.map((c) => (
            <label key={c.value} className="radio">
              <input
                type="radio"
                name="secondFactorRequiredFor"
                value={c.value}
                checked={form.required === c.value}
                onChange={() => update({ required: c.value })}
              />
              <span>
                <strong>{c.label}</strong>
                <span className="radio__hint">{c.hint}</span>
              </span>
            </label>
          ))}
          <p id="policy-second-factor-hint" className="field__hint">
            A user it covers who has no authenticator app or passkey yet sets one up at their next sign-in.
          </p>
        </fieldset>
        <div className="form__row">
          <NumberField
            name="stepUpMinutes"
            label="Step-up window (minutes)"
            error={minutesError}
            hint={`How recently a user must have confirmed it is them before a sensitive action. From ${MIN_MINUTES} to ${MAX_MINUTES}.`}
            min={MIN_MINUTES}
            max={MAX_MINUTES}
            value={form.minutes}
            onChange={(v) => update({ minutes: v })}
          />
          <PolicyCheck
            hintId="policy-step-up-password-hint"
            label="Allow the password for step-up"
            hint="Lets a user without a second factor confirm it is them with their password."
            checked={form.passwordAllowed}
            onChange={(v) => update({ passwordAllowed: v })}
          />
        </div>
      </fieldset>
      {notice && (
        <p className="alert alert--success" role="status">
          {notice}
        </p>
      )}
      {canManage && (
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save sign-in policy'}
          </button>
        </div>
      )}
    </form>
  );
}
