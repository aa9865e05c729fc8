import { useState, type FormEvent } from 'react';
import { ErrorSummary, Field } from '@/components/ui/Field';
import { api, unwrap, type Schemas } from '@/lib/api-client';
import { useSession } from '@/lib/auth';
import { useFormErrors } from '@/lib/form-errors';
import { useAsync } from '@/lib/use-async';
import { createPasskey, passkeyError, passkeysSupported } from '@/lib/webauthn';
import { formatDate } from '@/lib/format';

type Passkey = Schemas['Passkey'];

/** The profile's passkeys: add one (navigator.credentials.create), rename, remove; a copied one is flagged. */
export function PasskeysSection({ onChange }: { onChange?: () => void }) {
  const { refresh } = useSession();
  const list = useAsync(async (signal) => unwrap(await api.GET('/api/v1/me/passkeys', { signal })), []);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<string>();
  const [newName, setNewName] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors(['name', 'credential']);
  const passkeys: Passkey[] = list.data?.items ?? [];

  const changed = async () => {
    list.reload();
    onChange?.();
    await refresh();
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setBusy(true);
    try {
      const options = unwrap(await api.POST('/api/v1/me/passkeys/options'));
      let credential;
      try {
        credential = await createPasskey(options);
      } catch (error) {
        throw passkeyError(error);
      }
      unwrap(
        await api.POST('/api/v1/me/passkeys', {
          body: { name: name.trim(), credential } as Schemas['PasskeyRegistrationRequest'],
        }),
      );
      setName('');
      await changed();
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  };

  const rename = async (e: FormEvent, id: string) => {
    e.preventDefault();
    errors.clear();
    try {
      unwrap(
        await api.PATCH('/api/v1/me/passkeys/{passkeyId}', {
          params: { path: { passkeyId: id } },
          body: { name: newName.trim() },
        }),
      );
      setRenaming(undefined);
      list.reload();
    } catch (error) {
      errors.show(error);
    }
  };

  const remove = async (id: string) => {
    errors.clear();
    try {
      unwrap(await api.DELETE('/api/v1/me/passkeys/{passkeyId}', { params: { path: { passkeyId: id } } }));
      await changed();
    } catch (error) {
      errors.show(error);
    }
  };

  return (
    <section className="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p>
        A passkey signs you in with your device&apos;s screen lock, without a password, and counts as a second factor.
      </p>
      <ErrorSummary formError={errors.formError} fieldErrors={errors.fieldErrors} />
      {passkeys.length > 0 && (
        <ul className="passkeys" aria-label="Your passkeys">
          {passkeys.map((p) => (
            <li key={p.id}>
              {renaming === p.id ? (
                <form onSubmit={(e) => void rename(e, p.id)} className="form form--inline">
                  <Field label="New name" name="name" required error={errors.fieldErrors.name}>
                    {(f) => (
                      <input {...f} maxLength={100} value={newName} onChange={(e) => setNewName(e.target.value)} />
                    )}
                  </Field>
                  <button type="submit" className="button button--primary">
                    Save
                  </button>
                  <button type="button" className="button" onClick={() => setRenaming(undefined)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <strong>{p.name}</strong>{' '}
                  <span className="muted">
                    added {formatDate(p.createdAt)}
                    {p.lastUsedAt ? `, last used ${formatDate(p.lastUsedAt)}` : ''}
                  </span>
                  {p.cloneWarningAt && (
                    <p className="alert alert--warning" role="status">
                      Refused since {formatDate(p.cloneWarningAt)}: its counter went backwards, so it may have been
                      copied. Remove it and add it again.
                    </p>
                  )}
                  <div className="actions">
                    <button
                      type="button"
                      className="button"
                      aria-label={`Rename ${p.name}`}
                      onClick={() => {
                        setRenaming(p.id);
                        setNewName(p.name);
                      }}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      className="button button--danger"
                      aria-label={`Remove ${p.name}`}
                      onClick={() => void remove(p.id)}
                    >
                      Remove
                    </button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {passkeysSupported() ? (
        <form onSubmit={add} className="form">
          <Field
            label="Passkey name"
            name="name"
            required
            hint="For example: Work laptop"
            error={errors.fieldErrors.name}
          >
            {(f) => <input {...f} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              {busy ? 'Waiting for your device…' : 'Add a passkey'}
            </button>
          </div>
        </form>
      ) : (
        <p>This browser cannot use passkeys.</p>
      )}
    </section>
  );
}
