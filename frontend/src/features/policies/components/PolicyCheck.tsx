import type { ReactNode } from 'react';

type PolicyCheckProps = {
  /** The id of the hint, which describes the checkbox. */
  hintId: string;
  label: ReactNode;
  hint: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The contract's field, for the error summary's link; with its error, if the server refused it. */
  field?: string;
  error?: string;
};

/** One policy as a checkbox with the sentence that explains it (and its error), the same on every policy form. */
export function PolicyCheck({ hintId, label, hint, checked, onChange, field, error }: PolicyCheckProps) {
  return (
    <div className="field policies__check" data-field={field}>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={checked}
          aria-describedby={hintId}
          onChange={(e) => onChange(e.target.checked)}
        />
        {label}
      </label>
      <p id={hintId} className="field__hint">
        {hint}
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
