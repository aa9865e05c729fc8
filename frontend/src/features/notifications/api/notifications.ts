import { api, unwrap, type Schemas } from '@/lib/api-client';

export type Notification = Schemas['Notification'];

export async function listNotifications(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/notifications', { signal }));
}

export async function markRead(upToId: string) {
  const r = await api.POST('/api/v1/notifications/read', { body: { upToId } });
  if (r.error) unwrap(r);
}

/** What each notification says; the target is the key's (or endpoint's) name. */
export function notificationText(n: Notification): string {
  const target = n.targetName ? `“${n.targetName}”` : 'a credential';
  switch (n.action) {
    case 'key.expiring':
      return `The key ${target} expires soon`;
    case 'key.expired':
      return `The key ${target} has expired`;
    case 'key.unused':
      return `The key ${target} has not been used for a long time`;
    case 'webhook-endpoint.disabled':
      return `The webhook endpoint ${target} was disabled after failing for days`;
    case 'api-key.disabled':
      return `Your key ${target} was disabled`;
    case 'api-key.enabled':
      return `Your key ${target} was enabled`;
    case 'api-key.revoked':
      return `Your key ${target} was revoked`;
    case 'api-key.rotated':
      return `The secret of your key ${target} was rotated`;
    case 'api-key.transferred':
      return `Your key ${target} was transferred`;
    case 'api-key.updated':
      return `Your key ${target} was changed`;
    case 'api-key.used-from-new-address':
      return `Your key ${target} was used from a new address`;
    default:
      return `${n.action}: ${target}`;
  }
}
