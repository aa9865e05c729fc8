import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { Loading } from '@/components/ui/Feedback';
import { SecretField } from '@/components/ui/SecretField';
import { ApiError, errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { handoffState, revealHandoff, seedOf, type HandoffState } from '@/lib/handoff';

type View =
  | { kind: 'loading' }
  | { kind: 'ready'; state: HandoffState }
  | { kind: 'revealed'; secret: string }
  | { kind: 'gone'; title: string; text: string };

const GONE: Record<string, { title: string; text: string }> = {
  REVEALED: {
    title: 'This link was used already',
    text: 'Its key was revealed once and then deleted, so it cannot be shown again. If it was not you who opened it, tell whoever sent it: they can see when it was revealed and replace the key.',
  },
  EXPIRED: {
    title: 'This link has expired',
    text: 'Nobody opened it in time, and its key was deleted. Ask whoever sent it for a new link.',
  },
  WITHDRAWN: {
    title: 'This link was withdrawn',
    text: 'Whoever sent it took it back, and its key was deleted. Ask them for a new link.',
  },
  DAMAGED: {
    title: 'This link is incomplete or damaged',
    text: 'The part after “#” is missing or was changed (some mail and chat programs cut long links). Nothing was revealed: copy the whole link again.',
  },
  NOT_FOUND: {
    title: 'There is no such link',
    text: 'The address is wrong, or the link was deleted. Ask whoever sent it for a new one.',
  },
};

const gone = (why: string): View => {
  const g = GONE[why] ?? GONE.DAMAGED!;
  return { kind: 'gone', title: g.title, text: g.text };
};

function goneOf(error: unknown): View {
  if (error instanceof ApiError) {
    const type = error.problem.type ?? '';
    if (error.problem.status === 404) return gone('NOT_FOUND');
    if (type.endsWith('/handoff-revealed')) return gone('REVEALED');
    if (type.endsWith('/handoff-expired')) return gone('EXPIRED');
    if (type.endsWith('/handoff-withdrawn')) return gone('WITHDRAWN');
    if (error.problem.status === 400) return gone('DAMAGED');
  }
  return { kind: 'gone', title: 'The key could not be revealed', text: errorMessage(error) };
}

/**
 * A partner opens a one-time link: no account. Opening the page reveals and consumes nothing (link previewers fetch
 * it); the key is released once, on the click, and decrypted here with the key in the fragment.
 */
export function RevealHandoffPage() {
  const { handoffId = '' } = useParams();
  // a missing or cut fragment is known before any call: nothing is asked of the server then
  const [view, setView] = useState<View>(() => (seedOf(window.location.hash) ? { kind: 'loading' } : gone('DAMAGED')));
  const [busy, setBusy] = useState(false);
  const seed = seedOf(window.location.hash);

  useEffect(() => {
    const controller = new AbortController();
    if (!seedOf(window.location.hash)) return () => controller.abort();
    handoffState(handoffId, controller.signal)
      .then((state) => setView(state.status === 'PENDING' ? { kind: 'ready', state } : gone(state.status)))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setView(goneOf(e));
      });
    return () => controller.abort();
  }, [handoffId]);

  const reveal = async () => {
    if (!seed) return;
    setBusy(true);
    try {
      const secret = await revealHandoff(handoffId, seed);
      // the key to the secret is of no further use: keep it out of the history
      window.history.replaceState(null, '', window.location.pathname);
      setView({ kind: 'revealed', secret });
    } catch (e) {
      setView(e instanceof ApiError ? goneOf(e) : gone('DAMAGED'));
    } finally {
      setBusy(false);
    }
  };

  // the sign-in pages' card (features do not import each other): the partner has no account here
  return (
    <main className="auth" id="main">
      <div className="auth__card">
        <div className="auth__brand">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span>Keysmith</span>
        </div>
        <h1 id="page-title">A key for you</h1>
        {view.kind === 'loading' && <Loading label="Checking the link…" />}
        {view.kind === 'ready' && (
          <div className="handoff-reveal">
            <p>
              Someone sent you an API key with this one-time link. It can be revealed <strong>once</strong>: store it as
              soon as you see it.
            </p>
            <p className="muted">The link expires on {formatDateTime(view.state.expiresAt)}.</p>
            <button type="button" className="button button--primary" disabled={busy} onClick={reveal}>
              {busy ? 'Revealing…' : 'Reveal the key'}
            </button>
          </div>
        )}
        {view.kind === 'revealed' && (
          <SecretField
            label="API key"
            secret={view.secret}
            warning={
              <>
                <strong>Store this key now.</strong> The link is used up: this page cannot show it again.
              </>
            }
          />
        )}
        {view.kind === 'gone' && (
          <div className="alert alert--warning" role="alert">
            <h2>{view.title}</h2>
            <p>{view.text}</p>
          </div>
        )}
      </div>
    </main>
  );
}
