import { useState, type FormEvent } from 'react';
import { Field } from '@/components/ui/Field';
import type { ApiKey } from '@/features/api-keys/api/keys';
import { updateKey } from '@/features/api-keys/api/edit-key';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';

const MAX_BYTES = 1024;

/** Why a key awaits approval, or how it was decided (issue 20): the request as the approver sees it. */
export function ApprovalNotice({ apiKey }: { apiKey: ApiKey }) {
  const approval = apiKey.approval;
  if (!approval) return null;
  if (apiKey.status === 'PENDING_APPROVAL') {
    return (
      <div className="alert alert--warning" role="status">
        This key awaits a credential administrator’s approval (requested {formatDateTime(approval.requestedAt)}). It
        authenticates nothing until it is approved.
      </div>
    );
  }
  if (approval.denialReason) {
    return (
      <div className="alert alert--error" role="status">
        Denied {formatDateTime(approval.decidedAt)}: {approval.denialReason}
      </div>
    );
  }
  return approval.decidedAt ? <p className="field__hint">Approved {formatDateTime(approval.decidedAt)}.</p> : null;
}

/**
 * The key's metadata: a JSON object of at most 1 KB that gateways receive with each verdict (verify, forward-auth);
 * saved on its own, and never used to decide what the key may do.
 */
export function KeyMetadataEditor({ apiKey }: { apiKey: ApiKey }) {
  // what is saved now: kept here, so a save does not reload (and unmount) the page around its own notice
  const [initial, setInitial] = useState(() => (apiKey.metadata ? JSON.stringify(apiKey.metadata, null, 2) : ''));
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const readOnly = apiKey.status === 'REVOKED';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(undefined);
    let metadata: Record<string, unknown> | null = null;
    if (text.trim()) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          setError('Metadata is a JSON object, such as {"tier": "gold"}');
          return;
        }
        metadata = parsed as Record<string, unknown>;
      } catch {
        setError('This is not valid JSON');
        return;
      }
      if (new TextEncoder().encode(JSON.stringify(metadata)).length > MAX_BYTES) {
        setError(`Metadata is at most ${MAX_BYTES} bytes of JSON`);
        return;
      }
    }
    setError(undefined);
    setBusy(true);
    try {
      await updateKey(apiKey.id, { metadata });
      setInitial(text);
      setNotice(metadata ? 'Metadata saved.' : 'Metadata removed.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" aria-label="Metadata" onSubmit={(e) => void submit(e)} noValidate>
      <h2>Metadata</h2>
      <Field
        label="Metadata (JSON)"
        name="metadata"
        error={error}
        hint="Gateways receive it with every verdict, to route or tag requests. It never grants anything. At most 1 KB."
      >
        {(props) => (
          <textarea
            {...props}
            rows={4}
            value={text}
            readOnly={readOnly}
            placeholder='{"tier": "gold"}'
            onChange={(e) => {
              setText(e.target.value);
              setNotice(undefined);
            }}
          />
        )}
      </Field>
      {notice && <p role="status">{notice}</p>}
      {!readOnly && (
        <button type="submit" className="button" disabled={busy || text === initial}>
          {busy ? 'Saving…' : 'Save metadata'}
        </button>
      )}
    </form>
  );
}
