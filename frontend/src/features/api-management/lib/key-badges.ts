import type { ApiKey } from '@/features/api-management/api/org-keys';

export type KeyBadge = { kind: 'expired' | 'expiring' | 'unused' | 'leaked'; label: string; title: string };

const DAY = 86_400_000;

/**
 * The warnings a key's row carries in API Management (issue 19): the same windows as the reminders the server raises
 * (expiring within 7 days, expired, no use for the organization's unusedKeyDays), and a leak report. Revoked keys
 * carry none but the leak: nothing more can be done about them.
 */
export function keyBadges(key: ApiKey, unusedKeyDays: number, now: number = Date.now()): KeyBadge[] {
  const badges: KeyBadge[] = [];
  if (key.leakedAt) {
    badges.push({ kind: 'leaked', label: 'Leaked', title: `Reported leaked on ${key.leakedAt.slice(0, 10)}` });
  }
  if (key.status === 'REVOKED') return badges;
  const expires = key.expiresAt ? Date.parse(key.expiresAt) : undefined;
  if (expires !== undefined && (key.status === 'EXPIRED' || expires <= now)) {
    badges.push({ kind: 'expired', label: 'Expired', title: `Expired on ${key.expiresAt?.slice(0, 10)}` });
  } else if (expires !== undefined && expires - now <= 7 * DAY) {
    const days = Math.max(0, Math.ceil((expires - now) / DAY));
    badges.push({
      kind: 'expiring',
      label: days <= 1 ? 'Expires within a day' : `Expires in ${days} days`,
      title: `Expires on ${key.expiresAt?.slice(0, 10)}`,
    });
  }
  const lastUse = Date.parse(key.lastUsedAt ?? key.createdAt);
  if (key.status !== 'EXPIRED' && now - lastUse >= unusedKeyDays * DAY) {
    badges.push({
      kind: 'unused',
      label: `Unused ${unusedKeyDays}+ days`,
      title: key.lastUsedAt ? `Last used on ${key.lastUsedAt.slice(0, 10)}` : 'Never used',
    });
  }
  return badges;
}
