import { describe, expect, it } from 'vitest';
import type { ApiKey } from '@/features/api-management/api/org-keys';
import { keyBadges } from '@/features/api-management/lib/key-badges';

const now = Date.parse('2026-12-02T12:00:00Z');
const day = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const key = (over: Partial<ApiKey>): ApiKey =>
  ({ id: 'k', name: 'k', status: 'ACTIVE', createdAt: iso(now - day), lastUsedAt: iso(now - day), ...over }) as ApiKey;
const kinds = (k: ApiKey, days = 90) => keyBadges(k, days, now).map((b) => b.kind);

describe('keyBadges', () => {
  it('a fresh key used yesterday carries none', () => {
    expect(kinds(key({}))).toEqual([]);
  });
  it('expiring within 7 days, not at 8', () => {
    expect(keyBadges(key({ expiresAt: iso(now + 3 * day) }), 90, now)[0]?.label).toBe('Expires in 3 days');
    expect(keyBadges(key({ expiresAt: iso(now + 3600_000) }), 90, now)[0]?.label).toBe('Expires within a day');
    expect(kinds(key({ expiresAt: iso(now + 8 * day) }))).toEqual([]);
  });
  it('expired by date or status', () => {
    expect(kinds(key({ expiresAt: iso(now - day) }))).toEqual(['expired']);
    expect(kinds(key({ status: 'EXPIRED', expiresAt: iso(now - day) }))).toEqual(['expired']);
  });
  it('unused for the policy days, counted from creation when never used', () => {
    expect(kinds(key({ lastUsedAt: iso(now - 91 * day) }))).toEqual(['unused']);
    expect(kinds(key({ lastUsedAt: iso(now - 31 * day) }), 30)).toEqual(['unused']);
    expect(kinds(key({ lastUsedAt: iso(now - 29 * day) }), 30)).toEqual([]);
    expect(kinds(key({ lastUsedAt: undefined, createdAt: iso(now - 100 * day) }))).toEqual(['unused']);
  });
  it('leaked, also on a revoked key; a revoked key carries nothing else', () => {
    expect(kinds(key({ leakedAt: iso(now), status: 'REVOKED', expiresAt: iso(now - day) }))).toEqual(['leaked']);
  });
});
