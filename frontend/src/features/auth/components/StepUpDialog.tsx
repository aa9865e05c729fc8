import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { Modal } from '@/components/ui/Modal';
import { api, unwrap, type Schemas } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import { setStepUpPrompt } from '@/lib/step-up';
import { getPasskey, passkeyError, passkeysSupported } from '@/lib/webauthn';

type Pending = { detail?: string; resolve: (confirmed: boolean) => void };

/**
 * The step-up prompt: when a sensitive action needs a fresh authentication, asks for a code from the authenticator
 * app (or a recovery code), or the password for someone without an app, then lets the action go on.
 */
export function StepUpDialog() {
  const { session } = useSession();
  const [pending, setPending] = useState<Pending>();
  const pendingRef = useRef<Pending>(undefined);
  const [value, setValue] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(['password', 'code', 'recoveryCode']);
  const hasFactor = session.status === 'signed-in' && Boolean(session.me.authentication?.secondFactor);

  useEffect(() => {
    setStepUpPrompt(
      (detail) =>
        new Promise<boolean>((resolve) => {
          pendingRef.current?.resolve(false);
          const next = { detail, resolve };
          pendingRef.current = next;
          setValue('');
          setRecovery(false);
          setPending(next);
        }),
    );
    return () => setStepUpPrompt(undefined);
  }, []);

  if (!pending) return null;

  const close = (confirmed: boolean) => {
    pending.resolve(confirmed);
    pendingRef.current = undefined;
    setPending(undefined);
    errors.clear();
  };

  const field = hasFactor ? (recovery ? 'recoveryCode' : 'code') : 'password';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      unwrap(await api.POST('/api/v1/session/step-up', { body: { [field]: value.trim() } }));
      close(true);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    errors.clear();
    setBusy(true);
    try {
      const options = unwrap(await api.POST('/api/v1/session/step-up/passkey-options'));
      let passkey;
      try {
        passkey = await getPasskey(options);
      } catch (error) {
        throw passkeyError(error);
      }
      unwrap(
        await api.POST('/api/v1/session/step-up', {
          body: { passkey } as Schemas['StepUpRequest'],
        }),
      );
      close(true);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Confirm it's you" onClose={() => close(false)}>
      <form onSubmit={submit} className="form">
        <p>
          This action needs a recent sign-in.{' '}
          {hasFactor
            ? recovery
              ? 'Enter one of your recovery codes.'
              : 'Enter the current code from your authenticator app.'
            : 'Enter your password.'}
        </p>
        <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
        <Field
          label={field === 'password' ? 'Password' : field === 'code' ? 'Authentication code' : 'Recovery code'}
          name={field}
          required
          error={errors.fieldErrors[field]}
        >
          {(p) => (
            <input
              {...p}
              type={field === 'password' ? 'password' : 'text'}
              inputMode={field === 'code' ? 'numeric' : undefined}
              autoComplete={field === 'password' ? 'current-password' : 'one-time-code'}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          )}
        </Field>
        {hasFactor && passkeysSupported() && (
          <button type="button" className="button" disabled={busy} onClick={() => void withPasskey()}>
            Use a passkey
          </button>
        )}
        {hasFactor && (
          <button type="button" className="button button--link" onClick={() => setRecovery(!recovery)}>
            {recovery ? 'Use the authenticator app' : 'Use a recovery code'}
          </button>
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm'}
          </button>
          <button type="button" className="button" onClick={() => close(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
