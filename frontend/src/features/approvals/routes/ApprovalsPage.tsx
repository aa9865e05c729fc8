import { useState, type FormEvent } from 'react';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { Field, FormError } from '@/components/ui/Field';
import { Modal } from '@/components/ui/Modal';
import { approveKey, denyKey, listPending, type ApiKey } from '@/features/approvals/api/approvals';
import { errorMessage } from '@/lib/api-client';
import { hasPermission, useMe } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';

const REASONS: Record<string, string> = {
  API_TYPE: 'its API type needs approval',
  PERMISSION: 'it would hold a permission that needs approval',
  OWNER_NOT_ADMIN: 'its owner does not manage all credentials',
};

/** The approval queue (issue 20): keys the organization's policy holds until another credential administrator decides. */
export function ApprovalsPage() {
  const me = useMe();
  if (!hasPermission(me, 'keys:manage-all')) {
    return (
      <section className="page" aria-labelledby="page-title">
        <PageHeader title="Approvals" />
        <EmptyState title="Not available" icon="🔒">
          <p>Deciding on keys needs the “Manage ALL organization API credentials” permission.</p>
        </EmptyState>
      </section>
    );
  }
  return <ApprovalQueue myId={me.user.id} />;
}

function ApprovalQueue({ myId }: { myId: string }) {
  const pending = useAsync((signal) => listPending(signal), []);
  const [denying, setDenying] = useState<ApiKey>();
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<{ keyId: string; message: string }>();

  const approve = async (key: ApiKey) => {
    setFailure(undefined);
    try {
      await approveKey(key);
      setNotice(`Approved “${key.name}”: it works now.`);
      pending.reload();
    } catch (e) {
      setFailure({ keyId: key.id, message: errorMessage(e) });
    }
  };

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Approvals">
        Keys that the organization’s policy holds until another credential administrator approves them. A pending key
        authenticates nothing.
      </PageHeader>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {pending.loading && !pending.data ? (
        <Loading label="Loading the approval queue…" />
      ) : pending.error ? (
        <ErrorBox error={pending.error} onRetry={pending.reload} />
      ) : !pending.data || pending.data.length === 0 ? (
        <EmptyState title="Nothing awaits approval" icon="✅">
          <p>When a key needs approval, it appears here.</p>
        </EmptyState>
      ) : (
        <ul className="approval-list" aria-label="Keys awaiting approval">
          {pending.data.map((key) => {
            const mine = key.owner.id === myId || key.approval?.requestedBy === myId;
            return (
              <li key={key.id} className="card approval" aria-label={`Approval of ${key.name}`}>
                <h2>
                  {key.name} <code>{key.hint}…</code>
                </h2>
                <dl className="approval__facts">
                  <dt>Owner</dt>
                  <dd>{key.owner.name}</dd>
                  <dt>API type</dt>
                  <dd>{key.apiType}</dd>
                  <dt>Requested</dt>
                  <dd>{formatDateTime(key.approval?.requestedAt)}</dd>
                  <dt>Why</dt>
                  <dd>{(key.approval?.reasons ?? []).map((r) => REASONS[r] ?? r).join('; ')}</dd>
                  <dt>Permissions requested</dt>
                  <dd>
                    {key.permissionMode === 'INHERIT' ? 'Inherits its owner’s level: ' : ''}
                    {(key.approval?.requestedPermissions ?? []).length === 0 ? (
                      'none'
                    ) : (
                      <ul aria-label="Permissions requested">
                        {(key.approval?.requestedPermissions ?? []).map((p) => (
                          <li key={p}>
                            <code>{p}</code>
                          </li>
                        ))}
                      </ul>
                    )}
                  </dd>
                  {key.permissionMode === 'SCOPED' && Object.keys(key.fieldRights).length > 0 && (
                    <>
                      <dt>Field rights requested</dt>
                      <dd>
                        {Object.entries(key.fieldRights)
                          .filter(([, right]) => right !== 'NONE')
                          .map(([field, right]) => `${field}: ${String(right).toLowerCase()}`)
                          .join(', ') || 'none'}
                      </dd>
                    </>
                  )}
                  {key.metadata && (
                    <>
                      <dt>Metadata</dt>
                      <dd>
                        <code>{JSON.stringify(key.metadata)}</code>
                      </dd>
                    </>
                  )}
                </dl>
                {mine ? (
                  <p className="field__hint">This is your own request: another administrator decides on it.</p>
                ) : (
                  <div className="approval__actions">
                    <button type="button" className="button button--primary" onClick={() => void approve(key)}>
                      Approve
                    </button>
                    <button type="button" className="button button--danger" onClick={() => setDenying(key)}>
                      Deny
                    </button>
                  </div>
                )}
                {failure?.keyId === key.id && <FormError message={failure.message} />}
              </li>
            );
          })}
        </ul>
      )}
      {denying && (
        <DenyDialog
          keyToDeny={denying}
          onClose={() => setDenying(undefined)}
          onDenied={() => {
            setNotice(`Denied “${denying.name}”: it is revoked.`);
            setDenying(undefined);
            pending.reload();
          }}
        />
      )}
    </section>
  );
}

function DenyDialog({
  keyToDeny,
  onClose,
  onDenied,
}: {
  keyToDeny: ApiKey;
  onClose: () => void;
  onDenied: () => void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('Say why, so the requester knows what to change');
      return;
    }
    setBusy(true);
    try {
      await denyKey(keyToDeny, reason.trim());
      onDenied();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Modal title={`Deny “${keyToDeny.name}”`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>The key is revoked; the requester sees your reason.</p>
        <Field label="Reason" name="reason" required error={error}>
          {(props) => (
            <textarea {...props} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button--danger" disabled={busy}>
            {busy ? 'Denying…' : 'Deny and revoke'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
