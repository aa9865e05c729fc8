import { api, unwrap, type Schemas } from '@/lib/api-client';

export type AccessLevel = Schemas['AccessLevel'];
export type AccessLevelWrite = Schemas['AccessLevelWrite'];
export type PermissionCatalog = Schemas['PermissionCatalog'];
export type CatalogGroup = PermissionCatalog['groups'][number];
export type FieldRight = Schemas['FieldRight'];
export type FieldRights = Schemas['FieldRights'];
export type RecordScope = Schemas['RecordScope'];

export async function listAccessLevels(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/access-levels', { signal })).items;
}

/** The catalog, and the level being edited (none when creating). */
export async function loadEditorData(id: string | undefined, signal?: AbortSignal) {
  const [catalog, level] = await Promise.all([
    api.GET('/api/v1/permissions', { signal }).then(unwrap),
    id
      ? api
          .GET('/api/v1/access-levels/{accessLevelId}', { params: { path: { accessLevelId: id } }, signal })
          .then(unwrap)
      : Promise.resolve(undefined),
  ]);
  return { catalog, level };
}

export async function createAccessLevel(body: AccessLevelWrite) {
  return unwrap(await api.POST('/api/v1/access-levels', { body }));
}

export async function updateAccessLevel(id: string, body: AccessLevelWrite) {
  return unwrap(
    await api.PUT('/api/v1/access-levels/{accessLevelId}', { params: { path: { accessLevelId: id } }, body }),
  );
}

export async function deleteAccessLevel(id: string) {
  unwrap(await api.DELETE('/api/v1/access-levels/{accessLevelId}', { params: { path: { accessLevelId: id } } }));
}
