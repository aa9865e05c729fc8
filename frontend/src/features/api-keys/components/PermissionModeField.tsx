type Mode = 'INHERIT' | 'SCOPED';

type Props = {
  value: Mode;
  onChange: (mode: Mode) => void;
  error?: string;
  /** Who an INHERIT key follows: "you", or the owner's name. */
  whose: string;
  /** The hint under "Choose permissions" (when they are picked differs between creating and editing). */
  scopedHint: string;
  /** The first choice's title; by default "Inherit my access" for one's own key. */
  inheritLabel?: string;
};

/**
 * The choice between a key that inherits its owner's access (reads only: writes are chosen permissions, ADR 0012)
 * and one with chosen permissions; used by the create wizard and the Edit page.
 */
export function PermissionModeField({ value, onChange, error, whose, scopedHint, inheritLabel }: Props) {
  const mine = whose === 'you';
  const title = inheritLabel ?? (mine ? 'Inherit my access' : 'Inherit the owner’s access');
  return (
    <fieldset className={error ? 'field field--invalid radio-group' : 'field radio-group'}>
      <legend className="field__label">Permissions</legend>
      <label className="radio">
        <input
          type="radio"
          name="mode"
          value="INHERIT"
          checked={value === 'INHERIT'}
          onChange={() => onChange('INHERIT')}
        />
        <span>
          <strong>{title}</strong>
          <span className="radio__hint">
            The key can always read what {whose} can read, now and later; to add, change or delete records, choose the
            permissions.
          </span>
        </span>
      </label>
      <label className="radio">
        <input
          type="radio"
          name="mode"
          value="SCOPED"
          checked={value === 'SCOPED'}
          onChange={() => onChange('SCOPED')}
        />
        <span>
          <strong>Choose permissions</strong>
          <span className="radio__hint">{scopedHint}</span>
        </span>
      </label>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
