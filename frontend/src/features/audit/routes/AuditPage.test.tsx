import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

const ANN = '00000000-0000-4000-8000-000000000001';

describe('the audit log', () => {
  it('filters by action and by who acted, and says when nothing matches', async () => {
    const user = userEvent.setup();
    const calls = mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': () =>
        Response.json({
          items: [
            {
              id: ANN,
              email: 'ann@acme.test',
              firstName: 'Ann',
              lastName: 'Lee',
              kind: 'EMPLOYEE',
              status: 'ACTIVE',
              hasPassword: true,
              createdAt: '2025-01-01T00:00:00Z',
              accessLevel: { id: ANN, name: 'Account Owner' },
            },
          ],
        }),
      'GET /api/v1/audit-events': (req) =>
        Response.json({
          items: req.search?.includes('action=api-key.revoked')
            ? []
            : [
                {
                  id: '1',
                  occurredAt: '2025-01-01T00:00:00Z',
                  action: 'api-key.created',
                  actorUserId: ANN,
                  actorLabel: 'Ann Lee',
                  targetType: 'api-key',
                  targetId: 'k1',
                },
              ],
        }),
    });
    renderApp('/audit');
    expect(await screen.findByText('api-key.created')).toBeInTheDocument();

    await user.selectOptions(await screen.findByLabelText('Who'), ANN);
    await user.selectOptions(screen.getByLabelText('Action'), 'api-key.revoked');
    expect(await screen.findByText('No events match these filters')).toBeInTheDocument();
    const last = calls.filter((c) => c.path === '/api/v1/audit-events').at(-1)!;
    expect(new URLSearchParams(last.search).get('action')).toBe('api-key.revoked');
    expect(new URLSearchParams(last.search).get('actorUserId')).toBe(ANN);
  });
});
