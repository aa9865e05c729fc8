import { api, unwrap, type Schemas } from '@/lib/api-client';

export type ApiKey = Schemas['ApiKey'];
export type User = Schemas['User'];

/** The approval queue: the organization's keys that await a decision, oldest request first (at most 200). */
export async function listPending(signal?: AbortSignal): Promise<ApiKey[]> {
  const page = unwrap(
    await api.GET('/api/v1/organization/api-keys', {
      params: { query: { status: 'PENDING_APPROVAL', limit: 200 } },
      signal,
    }),
  );
  return [...page.items].sort((a, b) => (a.approval?.requestedAt ?? '').localeCompare(b.approval?.requestedAt ?? ''));
}

const path = (keyId: string) => ({ params: { path: { keyId } } });

/** Both name the revision the approver read: the server refuses (409) when the key changed since. */
export async function approveKey(key: ApiKey): Promise<ApiKey> {
  const revision = key.approval?.revision ?? 0;
  return unwrap(await api.POST('/api/v1/api-keys/{keyId}/approve', { ...path(key.id), body: { revision } }));
}

export async function denyKey(key: ApiKey, reason: string): Promise<ApiKey> {
  const revision = key.approval?.revision ?? 0;
  return unwrap(await api.POST('/api/v1/api-keys/{keyId}/deny', { ...path(key.id), body: { revision, reason } }));
}
