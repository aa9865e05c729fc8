import type { ApiType, Partner, PermissionCatalog } from '@/features/api-keys/api/keys';
import { atMost, rightOf, type FieldRight, type FieldRights } from '@/lib/field-rights';

/** The owner of a key made for someone else: what they hold, so a refusal can say whose access it exceeds. */
export type KeyOwner = { name: string; permissions: readonly string[]; fieldRights: FieldRights };

/**
 * Why a permission cannot be chosen for a key of this API type by this user, or undefined when it can. With the
 * key's `owner` (someone else), a permission they lack is beyond their access rather than the caller's.
 */
export function whyUnavailable(
  permission: string,
  apiType: ApiType | undefined,
  myPermissions: readonly string[],
  owner?: KeyOwner,
) {
  if (!apiType?.permissions?.includes(permission)) return `Not part of the ${apiType?.title ?? 'chosen API type'}`;
  if (owner && !owner.permissions.includes(permission)) return `Beyond ${owner.name}’s access`;
  if (!myPermissions.includes(permission)) return 'Beyond your own access';
  return undefined;
}

/** Whether keys of this type read or write people records (then field rights matter). */
export function usesFieldRights(apiType: ApiType | undefined): boolean {
  return Boolean(apiType?.permissions?.some((p) => p.startsWith('people:')));
}

/** The partner's usual permissions and field rights, cut down to what this key may have. */
export function partnerSelection(
  partner: Partner | undefined,
  catalog: PermissionCatalog,
  apiType: ApiType | undefined,
  myPermissions: readonly string[],
  myFieldRights: FieldRights,
): { permissions: string[]; fieldRights: FieldRights } {
  if (!partner) return { permissions: [], fieldRights: {} };
  const permissions = partner.usualPermissions.filter((p) => !whyUnavailable(p, apiType, myPermissions));
  const fieldRights: Record<string, FieldRight> = {};
  if (usesFieldRights(apiType)) {
    for (const field of catalog.fields) {
      const right = atMost(rightOf(partner.usualFieldRights, field.name), rightOf(myFieldRights, field.name));
      if (right !== 'NONE') fieldRights[field.name] = right;
    }
  }
  return { permissions, fieldRights: fieldRights };
}
