import { useEffect, useRef } from 'react';

type Props = {
  label: string;
  /** The names the control selects; `chosen` says which of them are selected now. */
  names: readonly string[];
  chosen: ReadonlySet<string>;
  onChange: (names: string[], on: boolean) => void;
};

/** A "select all" checkbox over a group: checked when all are chosen, mixed (indeterminate) when some are. */
export function SelectAll({ label, names, chosen, onChange }: Props) {
  const all = names.length > 0 && names.every((n) => chosen.has(n));
  const mixed = !all && names.some((n) => chosen.has(n));
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // `indeterminate` is a DOM property only, no attribute React could render.
    if (ref.current) ref.current.indeterminate = mixed;
  }, [mixed]);
  return (
    <label className="select-all">
      <input ref={ref} type="checkbox" checked={all} onChange={(e) => onChange([...names], e.target.checked)} />
      {label}
    </label>
  );
}
