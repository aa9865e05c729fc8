import type { ApiKey, ApiType } from '@/features/api-keys/api/keys';
import type { Schemas } from '@/lib/api-client';

type Policies = Pick<Schemas['OrganizationPolicies'], 'rateLimitDefaultPerMinute' | 'rateLimitCeilingPerMinute'>;
export type RateLimitSource = 'key' | 'organization' | 'api-type' | 'ceiling';

/**
 * The requests per minute a key is held to, as the key verifier decides it: its own limit, else the organization's
 * default, else its API type's; never above the organization's ceiling. Undefined while that is not known yet.
 */
export function effectiveRateLimit(
  key: Pick<ApiKey, 'rateLimitPerMinute'>,
  apiType: Pick<ApiType, 'defaultRateLimitPerMinute'> | undefined,
  policies: Partial<Policies> | undefined,
): { perMinute: number; source: RateLimitSource } | undefined {
  const own = key.rateLimitPerMinute ?? undefined;
  if (own === undefined && !policies) return undefined; // which default applies is the organization's to say
  const orgDefault = policies?.rateLimitDefaultPerMinute ?? undefined;
  const typeDefault = apiType?.defaultRateLimitPerMinute;
  const [rate, source]: [number | undefined, RateLimitSource] =
    own !== undefined
      ? [own, 'key']
      : orgDefault !== undefined
        ? [orgDefault, 'organization']
        : [typeDefault, 'api-type'];
  const ceiling = policies?.rateLimitCeilingPerMinute ?? undefined;
  if (ceiling !== undefined && (rate === undefined || rate <= 0 || rate > ceiling))
    return { perMinute: ceiling, source: 'ceiling' };
  return rate === undefined ? undefined : { perMinute: rate, source };
}

const SOURCE: Record<RateLimitSource, string | undefined> = {
  key: undefined,
  organization: 'organization default',
  'api-type': 'API type default',
  ceiling: 'held to the organization’s ceiling',
};

const SHORT: Record<RateLimitSource, string | undefined> = {
  key: undefined,
  organization: 'default',
  'api-type': 'default',
  ceiling: 'ceiling',
};

/**
 * A key's rate limit for a list: "600/min", where it comes from unless the key sets it, and its named limits. `compact`
 * is one small line under another value ("600/min · default · +2 named"), for a table that has no room for a column.
 */
export function RateLimitLabel({
  apiKey,
  apiType,
  policies,
  compact = false,
}: {
  apiKey: ApiKey;
  apiType: ApiType | undefined;
  policies: Partial<Policies> | undefined;
  compact?: boolean;
}) {
  const limit = effectiveRateLimit(apiKey, apiType, policies);
  const named = apiKey.rateLimits?.length ?? 0;
  const value = limit ? `${limit.perMinute.toLocaleString()}/min` : '—';
  if (compact) {
    const parts = [value, limit && SHORT[limit.source], named > 0 && `+${named} named`].filter(Boolean);
    return (
      <div className="rate-limit small muted">
        <span className="visually-hidden">Rate limit: </span>
        {parts.join(' · ')}
      </div>
    );
  }
  return (
    <div className="rate-limit">
      <span className="rate-limit__value">{value}</span>
      {limit && SOURCE[limit.source] && <div className="small muted">{SOURCE[limit.source]}</div>}
      {named > 0 && (
        <div className="small muted">
          +{named} named {named === 1 ? 'limit' : 'limits'}
        </div>
      )}
    </div>
  );
}
