import { api, unwrap, type Schemas } from '@/lib/api-client';

export type Partner = Schemas['Partner'];
export type PartnerWrite = Schemas['PartnerWrite'];
export type PermissionCatalog = Schemas['PermissionCatalog'];
export type FieldRight = Schemas['FieldRight'];
export type FieldRights = Schemas['FieldRights'];

/** The directory and the permission catalog (for the titles of usual permissions and the add form). */
export async function loadDirectory(signal?: AbortSignal) {
  const [partners, catalog] = await Promise.all([
    api.GET('/api/v1/partners', { signal }).then(unwrap),
    api.GET('/api/v1/permissions', { signal }).then(unwrap),
  ]);
  return { partners: partners.items, catalog };
}

export async function createPartner(body: PartnerWrite) {
  return unwrap(await api.POST('/api/v1/partners', { body }));
}
