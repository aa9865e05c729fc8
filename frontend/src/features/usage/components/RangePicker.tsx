import { RANGES, type RangeId } from '@/features/usage/api/usage';

/** The range as a group of radio buttons (one tab stop, arrow keys move between them), drawn as a segmented control. */
export function RangePicker({ value, onChange }: { value: RangeId; onChange: (id: RangeId) => void }) {
  return (
    <fieldset className="range-picker">
      <legend className="visually-hidden">Range</legend>
      {RANGES.map((r) => (
        <label key={r.id} className="range-picker__option">
          <input
            type="radio"
            name="usage-range"
            value={r.id}
            checked={value === r.id}
            onChange={() => onChange(r.id)}
          />
          {/* The long label on wide screens, the short one on phones: only the visible one names the radio. */}
          <span>
            <span className="range-picker__long">
              {r.label} <span className="range-picker__unit">({r.granularity === 'hour' ? 'hourly' : 'daily'})</span>
            </span>
            <span className="range-picker__short">{r.short}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
