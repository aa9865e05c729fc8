import { api, unwrap, type Schemas } from '@/lib/api-client';

export type ApiKey = Schemas['ApiKey'];
export type ApiType = Schemas['ApiType'];
export type Partner = Schemas['Partner'];
export type PermissionCatalog = Schemas['PermissionCatalog'];
export type FieldRights = Schemas['FieldRights'];
export type FieldRight = Schemas['FieldRight'];
export type ApiKeyCreate = Schemas['ApiKeyCreate'];

export async function listMyKeys(after: string | undefined, signal?: AbortSignal) {
  return unwrap(
    await api.GET('/api/v1/api-keys', { params: { query: { limit: 50, ...(after ? { after } : {}) } }, signal }),
  );
}

export type User = Schemas['User'];

/**
 * Everything the create-key wizard needs, loaded in parallel; with `forOthers` (an administrator who may list users)
 * also the active users a key can be made for, integration users included.
 */
export async function loadWizardData(forOthers: boolean, signal?: AbortSignal) {
  const [apiTypes, partners, catalog, policies, users] = await Promise.all([
    api.GET('/api/v1/api-types', { signal }).then(unwrap),
    api.GET('/api/v1/partners', { signal }).then(unwrap),
    api.GET('/api/v1/permissions', { signal }).then(unwrap),
    api.GET('/api/v1/organization/policies', { signal }).then(unwrap),
    // the owner picker is a convenience: without the list the key is the caller's own, as before
    forOthers ? activeUsers(signal).catch(() => [] as User[]) : Promise.resolve([] as User[]),
  ]);
  return { apiTypes: apiTypes.items, partners: partners.items, catalog, policies, users };
}

async function activeUsers(signal?: AbortSignal): Promise<User[]> {
  const users: User[] = [];
  let after: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = unwrap(
      await api.GET('/api/v1/users', { params: { query: { limit: 200, ...(after ? { after } : {}) } }, signal }),
    );
    users.push(...page.items.filter((u) => u.status === 'ACTIVE'));
    if (!page.next) break;
    after = page.next;
  }
  return users;
}

export async function createKey(body: ApiKeyCreate) {
  return unwrap(await api.POST('/api/v1/api-keys', { body }));
}

export async function saveKeyPermissions(keyId: string, permissions: string[], fieldRights: FieldRights) {
  return unwrap(
    await api.PATCH('/api/v1/api-keys/{keyId}', { params: { path: { keyId } }, body: { permissions, fieldRights } }),
  );
}
