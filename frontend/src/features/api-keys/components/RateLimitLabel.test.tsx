import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectiveRateLimit } from '@/features/api-keys/components/RateLimitLabel';
import { apiKey, mockApi, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const PEOPLE = { defaultRateLimitPerMinute: 600 };
const OWN = apiKey({ id: '00000000-0000-4000-8000-0000000000e1', name: 'Own limit', rateLimitPerMinute: 1200 });
const DEFAULT = apiKey({
  id: '00000000-0000-4000-8000-0000000000e2',
  name: 'Default limit',
  rateLimits: [
    { name: 'burst', limit: 10, windowSeconds: 1 },
    { name: 'daily', limit: 10000, windowSeconds: 86400 },
  ],
});

describe('a key’s rate limit', () => {
  it('is what the key verifier applies: its own, else the organization’s default, else its API type’s, capped by the ceiling', () => {
    const none = {};
    expect(effectiveRateLimit({ rateLimitPerMinute: 1200 }, PEOPLE, none)).toEqual({ perMinute: 1200, source: 'key' });
    expect(effectiveRateLimit({}, PEOPLE, none)).toEqual({ perMinute: 600, source: 'api-type' });
    expect(effectiveRateLimit({}, PEOPLE, { rateLimitDefaultPerMinute: 300 })).toEqual({
      perMinute: 300,
      source: 'organization',
    });
    expect(effectiveRateLimit({ rateLimitPerMinute: 1200 }, PEOPLE, { rateLimitCeilingPerMinute: 100 })).toEqual({
      perMinute: 100,
      source: 'ceiling',
    });
    expect(effectiveRateLimit({ rateLimitPerMinute: 50 }, PEOPLE, { rateLimitCeilingPerMinute: 100 })).toEqual({
      perMinute: 50,
      source: 'key',
    });
    // which default applies is unknown until the organization's policies are in
    expect(effectiveRateLimit({}, PEOPLE, undefined)).toBeUndefined();
    expect(effectiveRateLimit({ rateLimitPerMinute: 5 }, PEOPLE, undefined)).toEqual({ perMinute: 5, source: 'key' });
  });

  it('shows in the own-keys list, with where a default comes from and the named limits', async () => {
    mockApi({ ...signedInHandlers(), 'GET /api/v1/api-keys': () => Response.json({ items: [OWN, DEFAULT] }) });
    renderApp('/api-keys');
    expect(await screen.findByRole('columnheader', { name: 'Rate limit' })).toBeInTheDocument();
    const cell = (name: string) =>
      within(screen.getByRole('row', { name: new RegExp(name) }))
        .getByText(/\/min$/)
        .closest('td')!;
    expect(await within(screen.getByRole('row', { name: /Default limit/ })).findByText('600/min')).toBeInTheDocument();
    expect(cell('Own limit')).toHaveTextContent(/^1,200\/min$/);
    expect(cell('Default limit')).toHaveTextContent('600/minAPI type default+2 named limits');
  });

  it('shows compactly in API Management, the organization’s default and ceiling applied', async () => {
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/organization/policies': () =>
        Response.json({
          expiryRequired: false,
          allowedIpRanges: [],
          rateLimitDefaultPerMinute: 300,
          rateLimitCeilingPerMinute: 1000,
        }),
      'GET /api/v1/users': () => Response.json({ items: [] }),
      'GET /api/v1/organization/api-keys': () => Response.json({ items: [OWN, DEFAULT] }),
    });
    renderApp('/settings/api-management');
    // a compact line under the API type: the table has no room for another column
    expect(await screen.findByText('Default limit')).toBeInTheDocument();
    const row = (name: string) => within(screen.getByRole('row', { name: new RegExp(name) }));
    expect(await row('Default limit').findByText('300/min · default · +2 named')).toBeInTheDocument();
    expect(row('Own limit').getByText('1,000/min · ceiling')).toBeInTheDocument();
    expect(row('Own limit').getByText('1,000/min · ceiling').closest('td')).toHaveAttribute('data-label', 'API type');
    expect(screen.queryByRole('columnheader', { name: 'Rate limit' })).toBeNull();
  });
});
