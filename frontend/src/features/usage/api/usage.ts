import { api, unwrap, type Schemas } from '@/lib/api-client';

export type Usage = Schemas['Usage'];
export type Granularity = Usage['granularity'];

export const OUTCOMES = [
  { key: 'allowed', label: 'Allowed', color: '#16a34a' },
  { key: 'denied', label: 'Denied', color: '#dc2626' },
  { key: 'rateLimited', label: 'Rate-limited', color: '#d97706' },
  { key: 'invalid', label: 'Invalid', color: '#64748b' },
] as const;
export type Outcome = (typeof OUTCOMES)[number]['key'];

export const RANGES = [
  { id: '24h', label: 'Last 24 hours', short: '24 hours', granularity: 'hour', count: 24 },
  { id: '7d', label: 'Last 7 days', short: '7 days', granularity: 'day', count: 7 },
  { id: '30d', label: 'Last 30 days', short: '30 days', granularity: 'day', count: 30 },
] as const satisfies readonly { id: string; label: string; short: string; granularity: Granularity; count: number }[];
export type RangeId = (typeof RANGES)[number]['id'];
export type Range = (typeof RANGES)[number];

export function rangeById(id: string | null | undefined): Range {
  return RANGES.find((r) => r.id === id) ?? RANGES[0];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const stepOf = (g: Granularity) => (g === 'hour' ? HOUR : DAY);

/**
 * The query for a range ending now, aligned to whole buckets (the server sums from `from`, so an unaligned start would
 * cut the first bucket short): 24 hours ending with the current hour, or N UTC days ending with today.
 */
export function rangeQuery(range: Range, now = Date.now()): { from: string; to: string; granularity: Granularity } {
  const step = stepOf(range.granularity);
  const to = Math.floor(now / step) * step + step;
  const from = to - range.count * step;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity: range.granularity };
}

export type Point = {
  start: number;
  allowed: number;
  denied: number;
  rateLimited: number;
  invalid: number;
  total: number;
};

/** Every bucket of the range, in order, with zeros where the server had no rows (it only answers buckets with usage). */
export function fillBuckets(usage: Usage): Point[] {
  const step = stepOf(usage.granularity);
  const from = Date.parse(usage.from);
  const to = Date.parse(usage.to);
  const slots = Math.max(0, Math.min(1000, Math.ceil((to - from) / step)));
  const points: Point[] = Array.from({ length: slots }, (_, i) => ({
    start: from + i * step,
    allowed: 0,
    denied: 0,
    rateLimited: 0,
    invalid: 0,
    total: 0,
  }));
  for (const b of usage.buckets) {
    // Placed in the nearest slot, not by exact match: a server truncating days in its own time zone answers
    // e.g. 23:00Z for the UTC day that starts an hour later.
    const i = Math.round((Date.parse(b.start) - from) / step);
    const p = points[Math.min(Math.max(i, 0), slots - 1)];
    if (!p) continue;
    p.allowed += b.allowed;
    p.denied += b.denied;
    p.rateLimited += b.rateLimited;
    p.invalid += b.invalid;
    p.total += b.allowed + b.denied + b.rateLimited + b.invalid;
  }
  return points;
}

export type Totals = Record<Outcome, number> & { total: number };

export function totalsOf(usage: Usage): Totals {
  const t: Totals = { allowed: 0, denied: 0, rateLimited: 0, invalid: 0, total: 0 };
  for (const b of usage.buckets) {
    t.allowed += b.allowed;
    t.denied += b.denied;
    t.rateLimited += b.rateLimited;
    t.invalid += b.invalid;
  }
  t.total = t.allowed + t.denied + t.rateLimited + t.invalid;
  return t;
}

const hourLabel = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const hourLong = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
// Day buckets are UTC days: label them as such so a day never shows under its neighbour's date.
const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLong = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

export function bucketLabel(start: number, g: Granularity, long = false): string {
  if (g === 'hour') return (long ? hourLong : hourLabel).format(start);
  return (long ? dayLong : dayLabel).format(start);
}

const numberFormat = new Intl.NumberFormat();
export const formatCount = (n: number) => numberFormat.format(n);

export function percent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const p = (part / whole) * 100;
  return `${p > 0 && p < 1 ? '<1' : Math.round(p)}%`;
}

export async function getOrganizationUsage(range: Range, signal?: AbortSignal): Promise<Usage> {
  return unwrap(await api.GET('/api/v1/usage', { params: { query: rangeQuery(range) }, signal }));
}

export async function getKeyUsage(keyId: string, range: Range, signal?: AbortSignal): Promise<Usage> {
  return unwrap(
    await api.GET('/api/v1/api-keys/{keyId}/usage', { params: { path: { keyId }, query: rangeQuery(range) }, signal }),
  );
}

export async function getKey(keyId: string, signal?: AbortSignal): Promise<Schemas['ApiKey']> {
  return unwrap(await api.GET('/api/v1/api-keys/{keyId}', { params: { path: { keyId } }, signal }));
}
