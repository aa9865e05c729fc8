import { api, unwrap, type Schemas } from '@/lib/api-client';
import type { Me } from '@/lib/auth';
import { atMost, rightOf, type FieldRight } from '@/lib/field-rights';

export type ApiKeyUpdate = Schemas['ApiKeyUpdate'];

/** The rights a key may be given: its owner's. `known` is false when the caller may not read the owner's access level. */
export type OwnerRights = { permissions: string[]; fieldRights: Schemas['FieldRights']; known: boolean };

export async function ownerRights(ownerId: string, me: Me, signal?: AbortSignal): Promise<OwnerRights> {
  if (ownerId === me.user.id) return { permissions: me.permissions, fieldRights: me.fieldRights, known: true };
  try {
    const user = unwrap(await api.GET('/api/v1/users/{userId}', { params: { path: { userId: ownerId } }, signal }));
    const level = unwrap(
      await api.GET('/api/v1/access-levels/{accessLevelId}', {
        params: { path: { accessLevelId: user.accessLevel.id } },
        signal,
      }),
    );
    return { permissions: level.permissions, fieldRights: level.fieldRights, known: true };
  } catch (e) {
    if (signal?.aborted) throw e;
    // Without users:read or access-levels:read: offer the caller's own rights; the server checks the owner's on save.
    return { permissions: me.permissions, fieldRights: me.fieldRights, known: false };
  }
}

/**
 * What a key made by `me` for `owner` may be given: a key never does more than its owner, nor than the person who
 * makes it (the server checks both; the wizard offers only what passes).
 */
export function keyRights(owner: OwnerRights, me: Pick<Me, 'permissions' | 'fieldRights'>): OwnerRights {
  const mine = new Set(me.permissions);
  const fields = new Set([...Object.keys(owner.fieldRights), ...Object.keys(me.fieldRights)]);
  const fieldRights: Record<string, FieldRight> = {};
  for (const f of fields) {
    const right = atMost(rightOf(owner.fieldRights, f), rightOf(me.fieldRights, f));
    if (right !== 'NONE') fieldRights[f] = right;
  }
  return {
    permissions: owner.permissions.filter((p) => mine.has(p)),
    fieldRights,
    known: owner.known,
  };
}

/** The key and everything its editor needs. */
export async function loadKeyEditor(keyId: string, me: Me, signal?: AbortSignal) {
  const [key, apiTypes, catalog, policies] = await Promise.all([
    api.GET('/api/v1/api-keys/{keyId}', { params: { path: { keyId } }, signal }).then(unwrap),
    api.GET('/api/v1/api-types', { signal }).then(unwrap),
    api.GET('/api/v1/permissions', { signal }).then(unwrap),
    api.GET('/api/v1/organization/policies', { signal }).then(unwrap),
  ]);
  const owner = await ownerRights(key.owner.id, me, signal);
  return { key, apiType: apiTypes.items.find((t) => t.name === key.apiType), catalog, policies, owner };
}

export async function updateKey(keyId: string, body: ApiKeyUpdate) {
  return unwrap(await api.PATCH('/api/v1/api-keys/{keyId}', { params: { path: { keyId } }, body }));
}
