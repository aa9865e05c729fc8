import { useId, useState } from 'react';
import { formatDateTime } from '@/lib/format';
import type { Link } from '@/features/users/api/users';

/** A one-time invitation or password-reset link: read-only, with Copy; it is shown only this once. */
export function OneTimeLink({ label, link }: { label: string; link: Link }) {
  const id = useId();
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="secret">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <div className="secret__row">
        <input
          id={id}
          className="secret__value"
          readOnly
          value={link.url}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="secret__status" role="status">
        {copied === 'copied' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Could not copy: select the link and copy it by hand.'}
      </p>
      <p className="alert alert--warning">
        <strong>Pass this link on now.</strong> It works once, until {formatDateTime(link.expiresAt)}, and will not be
        shown again.{link.emailed ? ' It was also e-mailed to the user.' : ''}
      </p>
    </div>
  );
}
