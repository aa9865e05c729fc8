import { useState } from 'react';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { listHandoffs, withdrawHandoff, type Handoff } from '@/lib/handoff';
import { useAsync } from '@/lib/use-async';

const STATUS: Record<Handoff['status'], string> = {
  PENDING: 'Not opened yet',
  REVEALED: 'Revealed',
  EXPIRED: 'Expired unopened',
  WITHDRAWN: 'Withdrawn',
};

function describe(h: Handoff): string {
  if (h.status === 'REVEALED' && h.revealedAt) {
    return `Revealed on ${formatDateTime(h.revealedAt)}${h.revealedFrom ? ` from ${h.revealedFrom}` : ''}`;
  }
  if (h.status === 'PENDING') return `${STATUS.PENDING}; expires on ${formatDateTime(h.expiresAt)}`;
  return STATUS[h.status];
}

/** The key's one-time hand-off links: whether each was revealed (and from where); a pending one can be withdrawn. */
export function KeyHandoffs({ keyId }: { keyId: string }) {
  const data = useAsync((signal) => listHandoffs(keyId, signal), [keyId]);
  const [error, setError] = useState<string>();
  if (!data.data || data.data.length === 0) return null;
  const withdraw = async (id: string) => {
    setError(undefined);
    try {
      await withdrawHandoff(id);
      data.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="card" aria-labelledby="handoffs-title">
      <h2 id="handoffs-title">Hand-off links</h2>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      <ul className="handoff-list">
        {data.data.map((h) => (
          <li key={h.id}>
            Made on {formatDateTime(h.createdAt)}: <strong>{describe(h)}</strong>
            {h.status === 'PENDING' && (
              <>
                {' '}
                <button type="button" className="button button--link" onClick={() => void withdraw(h.id)}>
                  Withdraw
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
