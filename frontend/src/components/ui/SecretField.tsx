import { useId, useState, type ReactNode } from 'react';

type Props = {
  label: string;
  secret: string;
  /** What the secret is, for the copy-by-hand hint. */
  noun?: string;
  /** Why to keep it now; by default the API key's warning. */
  warning?: ReactNode;
};

const KEY_WARNING = (
  <>
    <strong>Store this key now.</strong> It will not be shown again: Keysmith keeps only a fingerprint of it.
  </>
);

/** A secret shown once: monospace, read-only, with a Copy button and a warning. */
export function SecretField({ label, secret, noun = 'key', warning = KEY_WARNING }: Props) {
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
        {copied === 'failed' && `Could not copy: select the ${noun} and copy it by hand.`}
      </p>
      <p className="alert alert--warning">{warning}</p>
    </div>
  );
}
