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

/** Everything the create-key wizard needs, loaded in parallel. */
export async function loadWizardData(signal?: AbortSignal) {
  const [apiTypes, partners, catalog, policies] = await Promise.all([
    api.GET('/api/v1/api-types', { signal }).then(unwrap),
    api.GET('/api/v1/partners', { signal }).then(unwrap),
    api.GET('/api/v1/permissions', { signal }).then(unwrap),
    api.GET('/api/v1/organization/policies', { signal }).then(unwrap),
  ]);
  return { apiTypes: apiTypes.items, partners: partners.items, catalog, policies };
}

export async function createKey(body: ApiKeyCreate) {
  return unwrap(await api.POST('/api/v1/api-keys', { body }));
}

export async function saveKeyPermissions(keyId: string, permissions: string[], fieldRights: FieldRights) {
  return unwrap(
    await api.PATCH('/api/v1/api-keys/{keyId}', { params: { path: { keyId } }, body: { permissions, fieldRights } }),
  );
}
