import type { FieldRight, FieldRights } from '@/features/access-levels/api/access-levels';

const RANK: Record<FieldRight, number> = { NONE: 0, VIEW: 1, EDIT: 2 };
export const FIELD_RIGHTS: readonly FieldRight[] = ['NONE', 'VIEW', 'EDIT'];
export const RIGHT_LABELS: Record<FieldRight, string> = { NONE: 'None', VIEW: 'View', EDIT: 'Edit' };
export const NOT_YOURS = 'You don’t have this right yourself';

/** The resource whose permissions are the developer permissions (own keys, all keys). */
export const DEVELOPER_RESOURCE = 'keys';

export function rightOf(rights: FieldRights | Record<string, FieldRight>, field: string): FieldRight {
  return (rights as Record<string, FieldRight | undefined>)[field] ?? 'NONE';
}

export function exceeds(right: FieldRight, limit: FieldRight): boolean {
  return RANK[right] > RANK[limit];
}

export function atMost(right: FieldRight, limit: FieldRight): FieldRight {
  return exceeds(right, limit) ? limit : right;
}
