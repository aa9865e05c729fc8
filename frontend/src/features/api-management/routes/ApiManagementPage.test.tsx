import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiKey, mockApi, renderApp, signedInHandlers } from '@/testing/mock-api';

afterEach(() => vi.unstubAllGlobals());

describe('API Management', () => {
  it('drops a "Load more" answer that arrives after the filters changed', async () => {
    const user = userEvent.setup();
    let calls = 0;
    let answerLoadMore: (r: Response) => void = () => {};
    const first = apiKey({ id: '00000000-0000-4000-8000-0000000000e1', name: 'First page key' });
    const stale = apiKey({ id: '00000000-0000-4000-8000-0000000000e2', name: 'Old search key' });
    const disabled = apiKey({ id: '00000000-0000-4000-8000-0000000000e3', name: 'Disabled key', status: 'DISABLED' });
    mockApi({
      ...signedInHandlers(),
      'GET /api/v1/users': () => Response.json({ items: [] }),
      'GET /api/v1/organization/api-keys': () => {
        calls += 1;
        if (calls === 1) return Response.json({ items: [first], next: first.id });
        if (calls === 2) return new Promise<Response>((resolve) => (answerLoadMore = resolve));
        return Response.json({ items: [disabled] });
      },
    });
    renderApp('/settings/api-management');
    expect(await screen.findByText('First page key')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await user.selectOptions(screen.getByLabelText('Status'), 'DISABLED');
    expect(await screen.findByText('Disabled key')).toBeInTheDocument();

    answerLoadMore(Response.json({ items: [stale] }));
    await waitFor(() => expect(calls).toBe(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText('Old search key')).toBeNull();
    expect(screen.getByText('Disabled key')).toBeInTheDocument();
  });
});
