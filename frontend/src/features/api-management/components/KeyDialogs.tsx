import { useState, type FormEvent } from 'react';
import { Field, FormActions, FormError } from '@/components/ui/Field';
import { Modal } from '@/components/ui/Modal';
import { HandoffOffer } from '@/components/ui/HandoffOffer';
import { SecretField } from '@/components/ui/SecretField';
import {
  keyActions,
  type AccessLevel,
  type ApiKey,
  type BulkAction,
  type User,
} from '@/features/api-management/api/org-keys';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';

const GRACE = [
  { seconds: 0, label: 'None: the old secret stops at once' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 604_800, label: '7 days' },
];

type DialogProps = {
  apiKey: ApiKey;
  onClose: () => void;
  onChanged: (key: ApiKey) => void;
  /** Tells the page what happened, for its success message. */
  onDone: (message: string) => void;
};

/** Until when the old secret of a rotated key still works, in words. */
export function graceMessage(key: ApiKey): string {
  return key.previousSecretValidUntil
    ? `The old secret keeps working until ${formatDateTime(key.previousSecretValidUntil)}.`
    : 'The old secret stopped working at once.';
}

export function RotateDialog({ apiKey, onClose, onChanged, onDone }: DialogProps) {
  const [grace, setGrace] = useState(3600);
  const [secret, setSecret] = useState<string>();
  const [rotated, setRotated] = useState<ApiKey>();
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
      setRotated(result.key);
      onChanged(result.key);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (secret && rotated) {
    const finish = () => {
      onDone(`“${apiKey.name}” has a new secret. ${graceMessage(rotated)}`);
      onClose();
    };
    return (
      <Modal title={`New secret for “${apiKey.name}”`} onClose={() => stored && finish()}>
        <SecretField label="New API key" secret={secret} />
        <p className="muted">{graceMessage(rotated)}</p>
        <HandoffOffer keyId={rotated.id} secret={secret} />
        <label className="checkbox">
          <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} />I have stored the API
          key
        </label>
        <div className="actions">
          <button type="button" className="button button--primary" disabled={!stored} onClick={finish}>
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

export function RevokeDialog({ apiKey, onClose, onChanged, onDone }: DialogProps) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (typed !== apiKey.name) return;
    setBusy(true);
    try {
      onChanged(await keyActions.revoke(apiKey.id));
      onDone(`“${apiKey.name}” is revoked. It no longer works and cannot be enabled again.`);
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

/** What a key's rights become with a new owner: INHERIT follows their level; SCOPED keeps what the level holds. */
function transferEffect(apiKey: ApiKey, level: AccessLevel | undefined, name: string): string {
  if (!level) return `The key will never do more than ${name}’s access level allows.`;
  if (apiKey.permissionMode === 'INHERIT') {
    return `The key will follow ${name}’s access level “${level.name}”, live: it can do what they can.`;
  }
  const held = new Set(level.permissions);
  const lost = apiKey.permissions.filter((p) => !held.has(p));
  if (apiKey.permissions.length === 0) return 'The key has no permissions; it still grants nothing.';
  if (lost.length === 0) return `The key keeps all ${apiKey.permissions.length} of its permissions.`;
  return (
    `The key keeps ${apiKey.permissions.length - lost.length} of its ${apiKey.permissions.length} permissions; ` +
    `it loses ${lost.join(', ')}, which “${level.name}” does not grant.`
  );
}

export function TransferDialog({
  apiKey,
  users,
  levels,
  onClose,
  onChanged,
  onDone,
}: DialogProps & { users: User[]; levels: AccessLevel[] }) {
  const candidates = users.filter((u) => u.status === 'ACTIVE' && u.id !== apiKey.owner.id);
  // Nobody is chosen for the admin: a wrong default could cripple an integration with one click.
  const [ownerUserId, setOwnerUserId] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const chosen = candidates.find((u) => u.id === ownerUserId);
  const levelOf = (u: User) => levels.find((l) => l.id === u.accessLevel.id);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    try {
      onChanged(await keyActions.transfer(apiKey.id, ownerUserId));
      onDone(`“${apiKey.name}” now belongs to ${chosen.firstName} ${chosen.lastName}.`);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  const ownerInactive = apiKey.status === 'OWNER_INACTIVE';
  return (
    <Modal title={`Transfer “${apiKey.name}”`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>
          {ownerInactive ? `${apiKey.owner.name} is inactive. ` : `Owned by ${apiKey.owner.name}. `}
          Give the key to an active user; it never exceeds its new owner’s access, nor yours.
        </p>
        <FormError message={error} />
        {candidates.length === 0 ? (
          <p className="muted">There is no other active user.</p>
        ) : (
          <Field label="New owner" hint="Each person’s access level is shown: the key can do no more than it grants.">
            {(p) => (
              <select {...p} value={ownerUserId} required onChange={(e) => setOwnerUserId(e.target.value)}>
                <option value="">Choose the new owner…</option>
                {candidates.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.firstName} {u.lastName} ({u.email}) · {u.accessLevel.name}
                    {u.kind === 'NON_EMPLOYEE' ? ' · integration user' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {chosen && (
          <p className="alert alert--info" role="status" data-testid="transfer-effect">
            Access level: <strong>{chosen.accessLevel.name}</strong>.{' '}
            {transferEffect(apiKey, levelOf(chosen), `${chosen.firstName} ${chosen.lastName}`)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || !chosen}>
            Transfer
          </button>
        </div>
      </form>
    </Modal>
  );
}

const BULK_WORDS: Record<BulkAction, { verb: string; done: string; warning: string }> = {
  DISABLE: { verb: 'Disable', done: 'disabled', warning: 'They stop working until they are enabled again.' },
  ENABLE: { verb: 'Enable', done: 'enabled', warning: 'They work again at once.' },
  REVOKE: {
    verb: 'Revoke',
    done: 'revoked',
    warning: 'Revoking stops them for good; they cannot be enabled again. Integrations using them fail at once.',
  },
};

/** Confirms a bulk change; revoking also asks to type how many keys, so a stray click cannot do it. */
export function BulkDialog({
  action,
  keys,
  onClose,
  onConfirm,
}: {
  action: BulkAction;
  keys: ApiKey[];
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const words = BULK_WORDS[action];
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const count = String(keys.length);
  const ok = action !== 'REVOKE' || typed.trim() === count;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ok) return;
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  const title = `${words.verb} ${keys.length} ${keys.length === 1 ? 'key' : 'keys'}?`;
  return (
    <Modal title={title} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>{words.warning}</p>
        <ul className="bulk-list">
          {keys.slice(0, 10).map((k) => (
            <li key={k.id}>
              {k.name} <span className="muted">({k.owner.name})</span>
            </li>
          ))}
          {keys.length > 10 && <li className="muted">and {keys.length - 10} more</li>}
        </ul>
        <FormError message={error} />
        {action === 'REVOKE' && (
          <Field label={`Type the number of keys (${count}) to confirm`}>
            {(p) => (
              <input
                {...p}
                value={typed}
                inputMode="numeric"
                autoComplete="off"
                onChange={(e) => setTyped(e.target.value)}
              />
            )}
          </Field>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className={action === 'ENABLE' ? 'button button--primary' : 'button button--danger'}
            disabled={busy || !ok}
          >
            {busy ? 'Working…' : title.replace('?', '')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function bulkDoneWord(action: BulkAction): string {
  return BULK_WORDS[action].done;
}
