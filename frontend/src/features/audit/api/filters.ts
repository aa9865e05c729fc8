import { ACTIONS, TARGET_TYPES, type AuditAction, type AuditTargetType } from '@/features/audit/api/sentences';

/** The audit log's filters as they live in the address: ?actorUserId=&action=&targetType=&targetId=&from=&to= */
export type AuditFilters = {
  actorUserId: string;
  action: AuditAction | '';
  targetType: AuditTargetType | '';
  targetId: string;
  /** Days (YYYY-MM-DD) in the viewer's time zone, both included. */
  from: string;
  to: string;
};

export const FILTER_KEYS = ['actorUserId', 'action', 'targetType', 'targetId', 'from', 'to'] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the filters from the address; a value the server would refuse (a hand-edited link) is ignored. */
export function filtersOf(params: URLSearchParams): AuditFilters {
  const action = params.get('action') ?? '';
  const targetType = params.get('targetType') ?? '';
  const uuid = (v: string | null) => (v && UUID.test(v) ? v : '');
  const day = (v: string | null) => (v && DAY.test(v) ? v : '');
  return {
    actorUserId: uuid(params.get('actorUserId')),
    action: (ACTIONS as string[]).includes(action) ? (action as AuditAction) : '',
    targetType: (TARGET_TYPES as string[]).includes(targetType) ? (targetType as AuditTargetType) : '',
    targetId: uuid(params.get('targetId')),
    from: day(params.get('from')),
    to: day(params.get('to')),
  };
}

/** Local midnight of a day, as the API's instant. */
function startOfDay(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}

/** Local midnight after a day: `to` is exclusive on the server, so the whole day is included. */
function endOfDay(day: string): string {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/** The API's query for the filters (also the export's). */
export function apiQuery(f: AuditFilters) {
  return {
    ...(f.actorUserId ? { actorUserId: f.actorUserId } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.targetType ? { targetType: f.targetType } : {}),
    ...(f.targetId ? { targetId: f.targetId } : {}),
    ...(f.from ? { from: startOfDay(f.from) } : {}),
    ...(f.to ? { to: endOfDay(f.to) } : {}),
  };
}

/** The CSV export's address for the same filters (a plain link: the browser downloads it with the session). */
export function exportHref(f: AuditFilters): string {
  const q = new URLSearchParams(apiQuery(f)).toString();
  return `/api/v1/audit-events/export${q ? `?${q}` : ''}`;
}

export function isFiltered(f: AuditFilters): boolean {
  return FILTER_KEYS.some((k) => f[k] !== '');
}

/** "from" after "to": said at once, and nothing is asked of the server. */
export function rangeError(f: AuditFilters): string | undefined {
  return f.from && f.to && f.from > f.to ? 'The start date is after the end date' : undefined;
}
