import type { ApiKey } from '@/features/api-keys/api/keys';

const SUSPENDED: Record<string, string> = {
  HOLDER_INACTIVE: 'Suspended: whoever holds its secret has been deactivated. Rotate it to take it over.',
  HOLDER_LACKS_MANAGE_ALL:
    'Suspended: whoever holds its secret may no longer manage other people’s keys. Rotate it to take it over.',
  OWNER_LACKS_CREATE_OWN: 'Suspended: its owner’s access level no longer allows API keys.',
};

/**
 * What an administrator decided about a key, and why it may authenticate nothing (ADR 0009): a disable, expiry or IP
 * allowlist an administrator set is lifted only by an administrator; a suspended key works again once whoever holds
 * its secret holds the right to again (or after a rotation).
 */
export function KeyRestrictions({ apiKey, compact = false }: { apiKey: ApiKey; compact?: boolean }) {
  const restrictions = apiKey.adminRestrictions ?? [];
  const lines: string[] = [];
  if (apiKey.status === 'DISABLED' && restrictions.includes('DISABLED')) {
    lines.push(
      compact ? 'Disabled by an administrator' : 'Disabled by an administrator: only an administrator can enable it.',
    );
  }
  if (apiKey.suspendedReason && apiKey.status !== 'REVOKED') {
    lines.push(compact ? 'Suspended' : (SUSPENDED[apiKey.suspendedReason] ?? 'Suspended.'));
  }
  if (!compact && restrictions.includes('EXPIRES_AT')) {
    lines.push('An administrator set its expiry: you can bring it earlier, not later.');
  }
  if (!compact && restrictions.includes('IP_ALLOWLIST')) {
    lines.push('An administrator set its IP allowlist: you can narrow it, not widen or remove it.');
  }
  if (!compact && restrictions.includes('RATE_LIMITS')) {
    lines.push('An administrator set its named rate limits: you can add or tighten them, not raise or remove them.');
  }
  if (lines.length === 0) {
    return null;
  }
  return (
    <ul
      className={compact ? 'key-restrictions key-restrictions--compact muted small' : 'key-restrictions'}
      aria-label="Restrictions"
    >
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  );
}
