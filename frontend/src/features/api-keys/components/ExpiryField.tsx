import { useState, type ChangeEvent } from 'react';
import { Field } from '@/components/ui/Field';
import type { Schemas } from '@/lib/api-client';

type Props = {
  policies: Schemas['OrganizationPolicies'];
  error?: string;
  /** The hint under the label; `max` is the last day the policy allows (YYYY-MM-DD), if it sets a limit. */
  hint: (max: string | undefined) => string;
  value: string;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
};

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A key's expiry date: from today up to the organization's longest lifetime, required when the policy says so. */
export function ExpiryField({ policies, error, hint, value, onChange }: Props) {
  // The clock is read once, when the form opens: a render must give the same bounds every time.
  const [now] = useState(() => Date.now());
  const max = policies.maxKeyLifetimeDays ? isoDay(now + policies.maxKeyLifetimeDays * DAY_MS) : undefined;
  return (
    <Field label="Expires on" required={policies.expiryRequired} error={error} hint={hint(max)}>
      {(p) => <input {...p} type="date" min={isoDay(now)} max={max} value={value} onChange={onChange} />}
    </Field>
  );
}
