import { api, unwrap, type Schemas } from '@/lib/api-client';

export type OrganizationLeastPrivilege = Schemas['OrganizationLeastPrivilege'];

export async function getOrganizationLeastPrivilege(days: number, signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/least-privilege', { params: { query: { days, limit: 1000 } }, signal }));
}
