import { api, unwrap, type Schemas } from '@/lib/api-client';

export type KeyLeastPrivilege = Schemas['KeyLeastPrivilege'];
export type LeastPrivilegeShadow = Schemas['LeastPrivilegeShadow'];
export type LeastPrivilegeChange = Schemas['LeastPrivilegeChange'];

export async function loadLeastPrivilege(keyId: string, days: number, signal?: AbortSignal) {
  return unwrap(
    await api.GET('/api/v1/api-keys/{keyId}/least-privilege', {
      params: { path: { keyId }, query: { days } },
      signal,
    }),
  );
}

/** Shadow mode: what a smaller set would have refused over the window. Changes nothing. */
export async function shadow(keyId: string, permissions: string[], days: number) {
  return unwrap(
    await api.POST('/api/v1/api-keys/{keyId}/least-privilege/shadow', {
      params: { path: { keyId } },
      body: { permissions, days },
    }),
  );
}

/** "Reduce to what it used": `permissions` is the set the person was shown; the server refuses if it changed. */
export async function reduceToUsed(keyId: string, permissions: string[], days: number) {
  return unwrap(
    await api.POST('/api/v1/api-keys/{keyId}/least-privilege/reduce', {
      params: { path: { keyId } },
      body: { permissions, days },
    }),
  );
}

export async function undoReduction(keyId: string, reductionId: string) {
  return unwrap(
    await api.POST('/api/v1/api-keys/{keyId}/least-privilege/undo', {
      params: { path: { keyId } },
      body: { reductionId },
    }),
  );
}
