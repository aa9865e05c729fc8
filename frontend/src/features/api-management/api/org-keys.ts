import { api, unwrap, type Schemas } from '@/lib/api-client';

export type ApiKey = Schemas['ApiKey'];
export type ApiKeyStatus = Schemas['ApiKeyStatus'];
export type User = Schemas['User'];

export type KeyFilters = {
  q: string;
  ownerUserId: string;
  status: '' | ApiKeyStatus;
  partnerId: string;
  apiType: string;
};

export async function listOrgKeys(filters: KeyFilters, after: string | undefined, signal?: AbortSignal) {
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')) as Partial<KeyFilters>;
  return unwrap(
    await api.GET('/api/v1/organization/api-keys', {
      params: { query: { ...query, status: query.status || undefined, limit: 50, ...(after ? { after } : {}) } },
      signal,
    }),
  );
}

/** Lookups for the filters and the transfer dialog; users only when the caller may list them. */
export async function loadLookups(canListUsers: boolean, signal?: AbortSignal) {
  const [types, partners, users] = await Promise.all([
    api.GET('/api/v1/api-types', { signal }).then(unwrap),
    api.GET('/api/v1/partners', { signal }).then(unwrap),
    canListUsers ? listAllUsers(signal) : Promise.resolve([] as User[]),
  ]);
  return { apiTypes: types.items, partners: partners.items, users };
}

async function listAllUsers(signal?: AbortSignal): Promise<User[]> {
  const users: User[] = [];
  let after: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = unwrap(
      await api.GET('/api/v1/users', { params: { query: { limit: 200, ...(after ? { after } : {}) } }, signal }),
    );
    users.push(...page.items);
    if (!page.next) break;
    after = page.next;
  }
  return users;
}

const path = (keyId: string) => ({ params: { path: { keyId } } });

export const keyActions = {
  disable: async (keyId: string) => unwrap(await api.POST('/api/v1/api-keys/{keyId}/disable', path(keyId))),
  enable: async (keyId: string) => unwrap(await api.POST('/api/v1/api-keys/{keyId}/enable', path(keyId))),
  revoke: async (keyId: string) => unwrap(await api.POST('/api/v1/api-keys/{keyId}/revoke', path(keyId))),
  rotate: async (keyId: string, gracePeriodSeconds: number) =>
    unwrap(await api.POST('/api/v1/api-keys/{keyId}/rotate', { ...path(keyId), body: { gracePeriodSeconds } })),
  transfer: async (keyId: string, ownerUserId: string) =>
    unwrap(await api.POST('/api/v1/api-keys/{keyId}/transfer', { ...path(keyId), body: { ownerUserId } })),
};
