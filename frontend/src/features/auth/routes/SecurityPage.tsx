import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import QRCode from 'qrcode';
import { ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { api, unwrap, type Schemas } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import { useAsync } from '@/lib/use-async';
import { PasskeysSection } from '@/features/auth/components/PasskeysSection';

type Factors = Schemas['SecondFactors'];
type Enrolment = Schemas['TotpEnrolment'];

/**
 * The profile's security section: the authenticator app (set up with a QR code or the secret typed in, confirmed
 * with a code before it counts, turned off), and the recovery codes, shown once. Also where a person whose
 * organization requires a second factor is sent before anything else.
 */
export function SecurityPage() {
  const { session, refresh } = useSession();
  const navigate = useNavigate();
  const mustEnrol = session.status === 'signed-in' && Boolean(session.me.authentication?.secondFactorEnrolmentRequired);
  const status = useAsync(async (signal) => unwrap(await api.GET('/api/v1/me/second-factors', { signal })), []);
  const factors: Factors | undefined = status.data;
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const [qr, setQr] = useState<string>();
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [stored, setStored] = useState(false);
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(['code']);

  const load = status.reload;

  useEffect(() => {
    if (!enrolment) return;
    void QRCode.toDataURL(enrolment.otpauthUri, { margin: 1, width: 200 }).then(setQr);
  }, [enrolment]);

  const start = async () => {
    errors.clear();
    setBusy(true);
    try {
      setEnrolment(unwrap(await api.POST('/api/v1/me/totp')));
      setCode('');
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const result = unwrap(await api.POST('/api/v1/me/totp/confirm', { body: { code: code.trim() } }));
      setRecoveryCodes(result.recoveryCodes);
      setEnrolment(undefined);
      load();
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  const done = async () => {
    setRecoveryCodes(undefined);
    setStored(false);
    await refresh();
    if (mustEnrol) void navigate('/', { replace: true });
  };

  const turnOff = async () => {
    errors.clear();
    setBusy(true);
    try {
      unwrap(await api.DELETE('/api/v1/me/totp'));
      load();
      await refresh();
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <PageHeader title="Sign-in security" />
      {mustEnrol && !recoveryCodes && (
        <p className="alert alert--warning" role="status">
          Your organization requires a second factor. Add a passkey or set up an authenticator app to continue.
        </p>
      )}
      {status.error !== undefined && <ErrorBox error={status.error} onRetry={load} />}
      {!factors && status.error === undefined && <Loading />}
      <ErrorSummary formError={errors.formError} fieldErrors={{}} />
      {recoveryCodes ? (
        <section className="card" aria-labelledby="recovery-title">
          <h2 id="recovery-title">Your recovery codes</h2>
          <p>
            <strong>Store these codes now.</strong> Each one signs you in once if you lose your phone. They will not be
            shown again.
          </p>
          <ul className="recovery-codes" aria-label="Recovery codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <label className="checkbox">
            <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} /> I have stored my
            recovery codes
          </label>
          <div className="actions">
            <button type="button" className="button button--primary" disabled={!stored} onClick={() => void done()}>
              Done
            </button>
          </div>
        </section>
      ) : enrolment ? (
        <section className="card" aria-labelledby="enrol-title">
          <h2 id="enrol-title">Set up an authenticator app</h2>
          <p>Scan this QR code with your authenticator app, or type the secret in by hand.</p>
          {qr && <img src={qr} alt="QR code for your authenticator app" width={200} height={200} />}
          <p>
            Secret: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <form onSubmit={confirm} className="form">
            <Field
              label="Code from the app"
              name="code"
              required
              hint="Six digits; it changes every 30 seconds."
              error={errors.fieldErrors.code}
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              )}
            </Field>
            <div className="actions">
              <button type="submit" className="button button--primary" disabled={busy}>
                {busy ? 'Checking…' : 'Confirm'}
              </button>
              <button type="button" className="button" onClick={() => setEnrolment(undefined)}>
                Cancel
              </button>
            </div>
          </form>
        </section>
      ) : (
        factors && (
          <section className="card" aria-labelledby="app-title">
            <h2 id="app-title">Authenticator app</h2>
            {factors.totp ? (
              <>
                <p>On. Signing in asks for a code from your app. {factors.recoveryCodesLeft} recovery codes left.</p>
                <div className="actions">
                  <button type="button" className="button" disabled={busy} onClick={() => void start()}>
                    Replace the app
                  </button>
                  {!factors.required && (
                    <button
                      type="button"
                      className="button button--danger"
                      disabled={busy}
                      onClick={() => void turnOff()}
                    >
                      Turn off
                    </button>
                  )}
                </div>
              </>
            ) : (
              <>
                <p>Off. Add a code from an app on your phone to every sign-in.</p>
                <div className="actions">
                  <button type="button" className="button button--primary" disabled={busy} onClick={() => void start()}>
                    Set up an authenticator app
                  </button>
                </div>
              </>
            )}
          </section>
        )
      )}
      {!recoveryCodes && !enrolment && factors && <PasskeysSection onChange={load} />}
    </div>
  );
}
