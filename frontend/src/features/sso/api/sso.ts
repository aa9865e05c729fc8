import { api, unwrap, type Schemas } from '@/lib/api-client';

export type SsoSettings = Schemas['SsoSettings'];
export type SsoSettingsWrite = Schemas['SsoSettingsWrite'];

export async function loadSsoSettings(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/organization/sso', { signal }));
}

export async function saveSsoSettings(body: SsoSettingsWrite) {
  return unwrap(await api.PUT('/api/v1/organization/sso', { body }));
}

export async function loadAccessLevels(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/access-levels', { signal })).items;
}

/** Active Account Owners: the candidates for the break-glass account. */
export async function loadAccountOwners(signal?: AbortSignal) {
  const page = unwrap(await api.GET('/api/v1/users', { params: { query: { status: 'ACTIVE', limit: 100 } }, signal }));
  return page.items.filter((u) => u.accessLevel.builtin === 'ACCOUNT_OWNER');
}
