import { useId, useState } from 'react';

/** A secret shown once: monospace, read-only, with a Copy button and a warning. */
export function SecretField({ label, secret }: { label: string; secret: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
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
          value={secret}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="secret__status" role="status">
        {copied === 'copied' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Could not copy: select the key and copy it by hand.'}
      </p>
      <p className="alert alert--warning">
        <strong>Store this key now.</strong> It will not be shown again: Keysmith keeps only a fingerprint of it.
      </p>
    </div>
  );
}
