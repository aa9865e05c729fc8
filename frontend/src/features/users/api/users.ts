import { api, unwrap, type Schemas } from '@/lib/api-client';
import type { Me } from '@/lib/auth';

export type User = Schemas['User'];
export type AccessLevel = Schemas['AccessLevel'];
export type Link = Schemas['Link'];
export type UserKind = Schemas['UserKind'];

export async function listUsers(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 200 } }, signal }));
}

export async function listAccessLevels(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/access-levels', { signal })).items;
}

export async function createUser(body: Schemas['UserCreate']) {
  return unwrap(await api.POST('/api/v1/users', { body }));
}

export async function setUserStatus(userId: string, action: 'deactivate' | 'reactivate') {
  const opts = { params: { path: { userId } } };
  return action === 'deactivate'
    ? unwrap(await api.POST('/api/v1/users/{userId}/deactivate', opts))
    : unwrap(await api.POST('/api/v1/users/{userId}/reactivate', opts));
}

export async function changeAccessLevel(userId: string, accessLevelId: string) {
  return unwrap(await api.PATCH('/api/v1/users/{userId}', { params: { path: { userId } }, body: { accessLevelId } }));
}

export async function issuePasswordReset(userId: string) {
  return unwrap(await api.POST('/api/v1/users/{userId}/password-reset', { params: { path: { userId } } }));
}

const RANK = { NONE: 0, VIEW: 1, EDIT: 2 } as const;

/**
 * Why the signed-in user cannot give this level to someone (the server refuses escalation through assignment), or
 * undefined when they can.
 */
export function whyNotAssignable(level: AccessLevel, me: Me): string | undefined {
  if (level.builtin === 'ACCOUNT_OWNER' && me.user.accessLevel.builtin !== 'ACCOUNT_OWNER')
    return 'only an Account Owner may give it';
  const beyond =
    level.permissions.some((p) => !me.permissions.includes(p)) ||
    (level.recordScope === 'ALL' && me.recordScope !== 'ALL') ||
    Object.entries(level.fieldRights).some(
      ([f, r]) =>
        RANK[r ?? 'NONE'] > RANK[(me.fieldRights as Record<string, keyof typeof RANK | undefined>)[f] ?? 'NONE'],
    );
  return beyond ? 'beyond your own rights' : undefined;
}

const COUNT_PAGES = 10;

/**
 * How many of the user's keys are active (they stop when the user is deactivated), read page by page up to 2,000;
 * `atLeast` when there are more. Needs keys:manage-all (the caller may not see others' keys otherwise).
 */
export async function countActiveKeys(ownerUserId: string, signal?: AbortSignal) {
  let count = 0;
  let after: string | undefined;
  for (let i = 0; i < COUNT_PAGES; i++) {
    const page = unwrap(
      await api.GET('/api/v1/organization/api-keys', {
        params: { query: { ownerUserId, status: 'ACTIVE', limit: 200, ...(after ? { after } : {}) } },
        signal,
      }),
    );
    count += page.items.length;
    if (!page.next) return { count, atLeast: false };
    after = page.next;
  }
  return { count, atLeast: true };
}

/** Removes all of the user's second factors (x-step-up: the api client asks the prompt, lib/step-up). */
export async function resetSecondFactors(userId: string) {
  unwrap(await api.DELETE('/api/v1/users/{userId}/second-factors', { params: { path: { userId } } }));
}
