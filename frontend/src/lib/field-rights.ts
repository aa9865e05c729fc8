import type { Schemas } from '@/lib/api-client';

/** What a holder may do with one field of a people record; rights are ordered NONE < VIEW < EDIT. */
export type FieldRight = Schemas['FieldRight'];
export type FieldRights = Schemas['FieldRights'];

const RANK: Record<FieldRight, number> = { NONE: 0, VIEW: 1, EDIT: 2 };
export const FIELD_RIGHTS: readonly FieldRight[] = ['NONE', 'VIEW', 'EDIT'];
export const RIGHT_LABELS: Record<FieldRight, string> = { NONE: 'None', VIEW: 'View', EDIT: 'Edit' };

/** A field's right in a set of rights: a field not listed has none. */
export function rightOf(rights: FieldRights | Record<string, FieldRight>, field: string): FieldRight {
  return (rights as Record<string, FieldRight | undefined>)[field] ?? 'NONE';
}

export function exceeds(right: FieldRight, limit: FieldRight): boolean {
  return RANK[right] > RANK[limit];
}

/** The right, cut down to the limit (what a grantor may give is never more than they hold). */
export function atMost(right: FieldRight, limit: FieldRight): FieldRight {
  return exceeds(right, limit) ? limit : right;
}
