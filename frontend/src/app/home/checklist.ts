import { api, unwrap, type Schemas } from '@/lib/api-client';
import { hasPermission, type Me } from '@/lib/auth';

export type Step = {
  id: 'key' | 'user' | 'policies' | 'gateway';
  label: string;
  hint: string;
  to: string;
  done: boolean;
};

type Policies = Schemas['OrganizationPolicies'];

/** Whether an admin changed any policy from its default (no lifetime cap, no expiry rule, no ranges, no limits). */
export function policiesSet(p: Policies): boolean {
  return (
    p.maxKeyLifetimeDays != null ||
    p.expiryRequired ||
    p.allowedIpRanges.length > 0 ||
    p.rateLimitDefaultPerMinute != null ||
    p.rateLimitCeilingPerMinute != null
  );
}

/**
 * The first-run steps this person can take, each done or not from the organization's real data: a key exists, a
 * second user exists, a policy was set, a Verification key (a gateway's) exists. Steps they may not take are left out.
 */
export async function loadChecklist(me: Me, signal?: AbortSignal): Promise<Step[]> {
  const manageAll = hasPermission(me, 'keys:manage-all');
  const canUsers = hasPermission(me, 'users:manage') && hasPermission(me, 'users:read');
  const canPolicies = hasPermission(me, 'policies:manage');
  const canCreateKeys = manageAll || hasPermission(me, 'keys:create-own');

  const keys = async (apiType?: string) =>
    manageAll
      ? unwrap(
          await api.GET('/api/v1/organization/api-keys', {
            params: { query: { limit: 1, ...(apiType ? { apiType } : {}) } },
            signal,
          }),
        ).items.length > 0
      : unwrap(await api.GET('/api/v1/api-keys', { signal })).items.some((k) => !apiType || k.apiType === apiType);

  const [anyKey, gatewayKey, users, policies] = await Promise.all([
    canCreateKeys ? keys() : Promise.resolve(false),
    canCreateKeys ? keys('VERIFICATION') : Promise.resolve(false),
    canUsers
      ? api.GET('/api/v1/users', { params: { query: { limit: 2 } }, signal }).then(unwrap)
      : Promise.resolve(undefined),
    canPolicies ? api.GET('/api/v1/organization/policies', { signal }).then(unwrap) : Promise.resolve(undefined),
  ]);

  const steps: Step[] = [];
  if (canCreateKeys)
    steps.push({
      id: 'key',
      label: 'Create an API key',
      hint: 'For an integration or a partner: it can do no more than you may.',
      to: '/api-keys/new',
      done: anyKey,
    });
  if (users)
    steps.push({
      id: 'user',
      label: 'Invite a user',
      hint: 'A colleague, or a non-employee user for an integration.',
      to: '/users',
      done: users.items.some((u) => u.id !== me.user.id),
    });
  if (policies)
    steps.push({
      id: 'policies',
      label: 'Set policies',
      hint: 'Key lifetime, required expiry, allowed IP ranges and rate limits.',
      to: '/settings/policies',
      done: policiesSet(policies),
    });
  if (canCreateKeys)
    steps.push({
      id: 'gateway',
      label: 'Connect a gateway',
      hint: 'Give your gateway a key of the Verification API type so it can ask Keysmith about keys.',
      to: '/api-keys/new',
      done: gatewayKey,
    });
  return steps;
}

const DISMISSED = 'keysmith.checklist.dismissed.';

export function checklistDismissed(organizationId: string): boolean {
  try {
    return window.localStorage.getItem(DISMISSED + organizationId) === '1';
  } catch {
    return false;
  }
}

export function dismissChecklist(organizationId: string) {
  try {
    window.localStorage.setItem(DISMISSED + organizationId, '1');
  } catch {
    // storage refused: hidden for this visit only
  }
}
