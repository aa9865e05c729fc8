import { useState, type FormEvent } from 'react';
import { Field, FormActions, FormError } from '@/components/ui/Field';
import { Modal } from '@/components/ui/Modal';
import { SecretField } from '@/components/ui/SecretField';
import { keyActions, type ApiKey, type User } from '@/features/api-management/api/org-keys';
import { errorMessage } from '@/lib/api-client';

const GRACE = [
  { seconds: 0, label: 'None: the old secret stops at once' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 604_800, label: '7 days' },
];

type DialogProps = { apiKey: ApiKey; onClose: () => void; onChanged: (key: ApiKey) => void };

export function RotateDialog({ apiKey, onClose, onChanged }: DialogProps) {
  const [grace, setGrace] = useState(3600);
  const [secret, setSecret] = useState<string>();
  const [stored, setStored] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await keyActions.rotate(apiKey.id, grace);
      setSecret(result.secret);
      onChanged(result.key);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (secret) {
    return (
      <Modal title={`New secret for “${apiKey.name}”`} onClose={() => stored && onClose()}>
        <SecretField label="New API key" secret={secret} />
        <label className="checkbox">
          <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} />I have stored the API
          key
        </label>
        <div className="actions">
          <button type="button" className="button button--primary" disabled={!stored} onClick={onClose}>
            Done
          </button>
        </div>
      </Modal>
    );
  }
  return (
    <Modal title={`Rotate “${apiKey.name}”`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>A new secret is issued and shown once. The old one keeps working for the grace period you choose.</p>
        <FormError message={error} />
        <Field label="Grace period for the old secret">
          {(p) => (
            <select {...p} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
              {GRACE.map((g) => (
                <option key={g.seconds} value={g.seconds}>
                  {g.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <FormActions busy={busy} label="Rotate" busyLabel="Rotating…" onCancel={onClose} />
      </form>
    </Modal>
  );
}

export function RevokeDialog({ apiKey, onClose, onChanged }: DialogProps) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (typed !== apiKey.name) return;
    setBusy(true);
    try {
      onChanged(await keyActions.revoke(apiKey.id));
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={`Revoke “${apiKey.name}”`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>Revoking stops the key for good; it cannot be enabled again. Integrations using it will fail at once.</p>
        <FormError message={error} />
        <Field label={`Type the key name (${apiKey.name}) to confirm`}>
          {(p) => <input {...p} value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--danger" disabled={busy || typed !== apiKey.name}>
            Revoke key
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function TransferDialog({ apiKey, users, onClose, onChanged }: DialogProps & { users: User[] }) {
  const candidates = users.filter((u) => u.status === 'ACTIVE' && u.id !== apiKey.owner.id);
  const [ownerUserId, setOwnerUserId] = useState(candidates[0]?.id ?? '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onChanged(await keyActions.transfer(apiKey.id, ownerUserId));
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={`Transfer “${apiKey.name}”`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>{apiKey.owner.name} is inactive. Give the key to an active user; it never exceeds its new owner’s access.</p>
        <FormError message={error} />
        {candidates.length === 0 ? (
          <p className="muted">There is no other active user.</p>
        ) : (
          <Field label="New owner">
            {(p) => (
              <select {...p} value={ownerUserId} onChange={(e) => setOwnerUserId(e.target.value)}>
                {candidates.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.firstName} {u.lastName} ({u.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || !ownerUserId}>
            Transfer
          </button>
        </div>
      </form>
    </Modal>
  );
}
