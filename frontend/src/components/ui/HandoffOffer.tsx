import { useState } from 'react';
import { SecretField } from '@/components/ui/SecretField';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { createHandoff, type Handoff } from '@/lib/handoff';

const LINK_WARNING = (
  <>
    <strong>Send this link to the partner.</strong> It reveals the key once, to whoever opens it first and clicks
    Reveal; Keysmith cannot read the key from it. You can see on the key&apos;s page whether it was revealed.
  </>
);

/**
 * Instead of copying a new secret into an e-mail or a chat: a one-time link the server cannot read (the secret is
 * encrypted here, the key to it travels only in the link's fragment).
 */
export function HandoffOffer({ keyId, secret }: { keyId: string; secret: string }) {
  const [made, setMade] = useState<{ handoff: Handoff; link: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const make = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setMade(await createHandoff(keyId, secret));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (made) {
    return (
      <div className="handoff-offer">
        <SecretField label="One-time link" secret={made.link} noun="link" warning={LINK_WARNING} />
        <p className="muted">It expires on {formatDateTime(made.handoff.expiresAt)} if nobody opens it.</p>
      </div>
    );
  }
  return (
    <div className="handoff-offer">
      <p className="muted">
        Sending the key to a partner? Make a one-time link instead of pasting the key into an e-mail or a chat.
      </p>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      <button type="button" className="button" disabled={busy} onClick={make}>
        {busy ? 'Making the link…' : 'Make a one-time link'}
      </button>
    </div>
  );
}
