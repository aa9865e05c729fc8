import { api, unwrap, type Schemas } from '@/lib/api-client';

export type Policies = Schemas['OrganizationPolicies'];

export async function loadPolicies(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/organization/policies', { signal }));
}

export async function savePolicies(body: Policies) {
  return unwrap(await api.PUT('/api/v1/organization/policies', { body }));
}

export type SignInPolicy = Schemas['SignInPolicy'];

export async function loadSignInPolicy(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/organization/sign-in-policy', { signal }));
}

/** An x-step-up operation: the api client asks the step-up prompt and sends it again (lib/step-up). */
export async function saveSignInPolicy(body: SignInPolicy) {
  return unwrap(await api.PUT('/api/v1/organization/sign-in-policy', { body }));
}
