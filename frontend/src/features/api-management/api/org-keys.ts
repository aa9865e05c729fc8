import { api, unwrap, type Schemas } from '@/lib/api-client';

export type ApiKey = Schemas['ApiKey'];
export type ApiKeyStatus = Schemas['ApiKeyStatus'];
export type User = Schemas['User'];

export type KeySort = 'name' | 'createdAt' | 'lastUsedAt' | 'expiresAt';
export type KeyOrder = 'asc' | 'desc';

export type KeyFilters = {
  q: string;
  ownerUserId: string;
  status: '' | ApiKeyStatus;
  partnerId: string;
  apiType: string;
  sort: KeySort;
  order: KeyOrder;
};

export const NO_FILTERS: KeyFilters = {
  q: '',
  ownerUserId: '',
  status: '',
  partnerId: '',
  apiType: '',
  sort: 'createdAt',
  order: 'asc',
};

const SORTS: readonly KeySort[] = ['name', 'createdAt', 'lastUsedAt', 'expiresAt'];
const STATUSES: readonly string[] = ['ACTIVE', 'DISABLED', 'REVOKED', 'EXPIRED', 'OWNER_INACTIVE', 'PENDING_APPROVAL'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters a link carries (`?status=DISABLED&sort=name`); anything the server would refuse is dropped. */
export function filtersFromSearch(params: URLSearchParams): KeyFilters {
  const get = (name: string) => params.get(name) ?? '';
  const sort = get('sort') as KeySort;
  const uuid = (v: string) => (UUID.test(v) ? v : '');
  return {
    q: get('q').slice(0, 100),
    ownerUserId: uuid(get('ownerUserId')),
    status: STATUSES.includes(get('status')) ? (get('status') as ApiKeyStatus) : '',
    partnerId: uuid(get('partnerId')),
    apiType: /^[A-Z_]{1,40}$/.test(get('apiType')) ? get('apiType') : '',
    sort: SORTS.includes(sort) ? sort : 'createdAt',
    order: get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** The non-default filters, for the address bar and the API's query. */
export function filtersToQuery(filters: KeyFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(filters) as [keyof KeyFilters, string][]) {
    if (v !== '' && v !== NO_FILTERS[k]) out[k] = v;
  }
  return out;
}

export async function listOrgKeys(filters: KeyFilters, after: string | undefined, signal?: AbortSignal) {
  const query = filtersToQuery(filters) as Partial<KeyFilters>;
  return unwrap(
    await api.GET('/api/v1/organization/api-keys', {
      params: { query: { ...query, status: query.status || undefined, limit: 50, ...(after ? { after } : {}) } },
      signal,
    }),
  );
}

/** The CSV export of what the list shows (same filters and order), downloaded by the browser with the session. */
export function exportUrl(filters: KeyFilters): string {
  const query = new URLSearchParams(filtersToQuery(filters)).toString();
  return `/api/v1/organization/api-keys/export${query ? `?${query}` : ''}`;
}

export type BulkAction = 'DISABLE' | 'ENABLE' | 'REVOKE';
export type BulkItem = Schemas['ApiKeyBulkResult']['items'][number];

/** The server changes each key on its own and answers per key (at most 100 per request). */
export async function bulkChange(action: BulkAction, keyIds: string[]): Promise<BulkItem[]> {
  const items: BulkItem[] = [];
  for (let i = 0; i < keyIds.length; i += 100) {
    const result = unwrap(
      await api.POST('/api/v1/organization/api-keys/bulk', { body: { action, keyIds: keyIds.slice(i, i + 100) } }),
    );
    items.push(...result.items);
  }
  return items;
}

export type AccessLevel = Schemas['AccessLevel'];

/**
 * Lookups for the filters and the transfer dialog; users only when the caller may list them, access levels (what a
 * transferred key's rights would become) only when they may read them.
 */
export async function loadLookups(canListUsers: boolean, canReadLevels: boolean, signal?: AbortSignal) {
  const [types, partners, users, levels] = await Promise.all([
    api.GET('/api/v1/api-types', { signal }).then(unwrap),
    api.GET('/api/v1/partners', { signal }).then(unwrap),
    canListUsers ? listAllUsers(signal) : Promise.resolve([] as User[]),
    canReadLevels
      ? api.GET('/api/v1/access-levels', { signal }).then((r) => (r.data ? r.data.items : []))
      : Promise.resolve([] as AccessLevel[]),
  ]);
  return { apiTypes: types.items, partners: partners.items, users, levels };
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
