import { api, unwrap, type Schemas } from '@/lib/api-client';

export type Policies = Schemas['OrganizationPolicies'];

export async function loadPolicies(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/organization/policies', { signal }));
}

export async function savePolicies(body: Policies) {
  return unwrap(await api.PUT('/api/v1/organization/policies', { body }));
}
