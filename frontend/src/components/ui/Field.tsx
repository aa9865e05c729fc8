import { useId, type ReactNode } from 'react';

type FieldProps = {
  label: string;
  /** The request field it edits: the error summary links here. */
  name?: string;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  /** Renders the control with the ids it must carry for its label, hint and error. */
  children: (props: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: boolean;
    required?: boolean;
  }) => ReactNode;
};

/** A labelled form control with an optional hint and the problem detail the server gave for it. */
export function Field({ label, name, error, hint, required, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field--invalid' : 'field'} data-field={name}>
      <label htmlFor={id} className="field__label">
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined, required })}
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** An error that belongs to no single field. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert--error" role="alert" tabIndex={-1} data-form-error="">
      {message}
    </div>
  );
}

/**
 * The top of a form after a failed submit: what went wrong, each field's problem linking to that field. Focus moves
 * here (lib/form-errors), so a screen reader reads it and nothing is off-screen.
 */
export function ErrorSummary({
  formError,
  fieldErrors,
  labels = {},
}: {
  formError?: string;
  fieldErrors: Record<string, string>;
  /** The form's own labels by field name; the contract's title otherwise. */
  labels?: Record<string, string>;
}) {
  const entries = Object.entries(fieldErrors);
  if (!formError && entries.length === 0) return null;
  const focusField = (e: React.MouseEvent<HTMLAnchorElement>, name: string) => {
    const root = e.currentTarget.closest('form') ?? document;
    const control = root.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"] :is(input, select, textarea)`);
    if (control) {
      e.preventDefault();
      control.focus();
    }
  };
  return (
    <div className="alert alert--error error-summary" role="alert" tabIndex={-1} data-error-summary="">
      <p className="error-summary__title">{entries.length ? 'Please correct the following:' : formError}</p>
      {entries.length > 0 && (
        <ul>
          {formError && <li>{formError}</li>}
          {entries.map(([name, message]) => (
            <li key={name}>
              <a href={`#${name}`} onClick={(e) => focusField(e, name)}>
                {labels[name] ? `${labels[name]}: ${message}` : message}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type NumberFieldProps = {
  label: string;
  /** The request field it edits: the error summary links here. */
  name?: string;
  error?: string;
  hint?: ReactNode;
  min?: number;
  max?: number;
  placeholder?: string;
  /** The input's text: empty while nothing is entered. */
  value: string;
  onChange: (value: string) => void;
};

/** A labelled field for a whole number (numeric keyboard on phones). */
export function NumberField({ label, name, error, hint, min, max, placeholder, value, onChange }: NumberFieldProps) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(p) => (
        <input
          {...p}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          placeholder={placeholder}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

type FormActionsProps = { busy: boolean; label: string; busyLabel: string; onCancel: () => void };

/** A form's Cancel and submit buttons; the submit button says what is happening while the form is busy. */
export function FormActions({ busy, label, busyLabel, onCancel }: FormActionsProps) {
  return (
    <div className="actions">
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}
