const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string | undefined | null, empty = '—'): string {
  return iso ? dateFormat.format(new Date(iso)) : empty;
}

export function formatDateTime(iso: string | undefined | null, empty = '—'): string {
  return iso ? dateTimeFormat.format(new Date(iso)) : empty;
}

const STATUS_LABELS: Record<string, string> = {
  ACTIVE: 'Active',
  DISABLED: 'Disabled',
  REVOKED: 'Revoked',
  EXPIRED: 'Expired',
  OWNER_INACTIVE: 'Owner inactive',
  PENDING_APPROVAL: 'Awaiting approval',
  DEACTIVATED: 'Deactivated',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** "2025-01-31" (a date input's value) -> the end of that day in UTC, as the API's date-time. */
export function endOfDayIso(date: string): string {
  return new Date(`${date}T23:59:59Z`).toISOString();
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A wait in words, rounded up to what a person would wait for: 897 -> "15 minutes", 45 -> "45 seconds". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return plural(s, 'second');
  if (s < 3600) return plural(Math.ceil(s / 60), 'minute');
  const hours = Math.floor(s / 3600);
  const minutes = Math.ceil((s % 3600) / 60);
  if (minutes === 60) return plural(hours + 1, 'hour');
  return minutes ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour');
}
