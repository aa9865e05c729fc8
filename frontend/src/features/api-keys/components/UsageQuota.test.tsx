import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageQuotaEditor } from '@/features/api-keys/components/UsageQuota';
import type { ApiKey } from '@/features/api-keys/api/keys';
import { apiKey, mockApi, problem } from '@/testing/mock-api';

const PATH = '/api/v1/api-keys/00000000-0000-4000-8000-0000000000d1';
const daily = { limit: 500, period: 'DAY', remaining: 120, resetsAt: '2026-12-04T00:00:00Z' } as const;

/** Answers a PATCH with the key as the body leaves it (a saved quota starts full). */
const patchEchoes = (key: ApiKey) =>
  mockApi({
    [`PATCH ${PATH}`]: ({ body }) => {
      const q = (body as { quota: { limit: number; period: 'DAY' } | null }).quota;
      return Response.json({ ...key, quota: q ? { ...q, remaining: q.limit } : undefined });
    },
  });

afterEach(() => vi.unstubAllGlobals());

describe('usage quota on the key page', () => {
  it('shows what is left of a daily quota and when it refills', () => {
    render(<UsageQuotaEditor apiKey={apiKey({ quota: daily })} credentialAdmin={false} />);
    expect(screen.getByText('120 of 500 left this day')).toBeInTheDocument();
    expect(screen.getByText(/^Refills /)).toBeInTheDocument();
    const meter = screen.getByRole('meter', { name: 'Quota left' });
    expect(meter).toHaveAttribute('value', '120');
    expect(meter).toHaveAttribute('max', '500');
    expect(screen.getByLabelText('Requests')).toHaveValue(500);
    expect(screen.getByLabelText('Period')).toHaveValue('DAY');
  });

  it('shows a total quota as uses left, with no refill', () => {
    render(
      <UsageQuotaEditor apiKey={apiKey({ quota: { limit: 50, period: 'TOTAL', remaining: 40 } })} credentialAdmin />,
    );
    expect(screen.getByText('40 of 50 uses left')).toBeInTheDocument();
    expect(screen.queryByText(/^Refills /)).not.toBeInTheDocument();
  });

  it('saves the limit and period, and the quota starts full', async () => {
    const key = apiKey();
    const calls = patchEchoes(key);
    render(<UsageQuotaEditor apiKey={key} credentialAdmin={false} />);
    await userEvent.type(screen.getByLabelText('Requests'), '1000');
    await userEvent.selectOptions(screen.getByLabelText('Period'), 'Per week');
    await userEvent.click(screen.getByRole('button', { name: 'Save quota' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Quota saved');
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ quota: { limit: 1000, period: 'WEEK' } });
    expect(screen.getByRole('meter', { name: 'Quota left' })).toHaveAttribute('value', '1000');
  });

  it('removes the quota with null', async () => {
    const key = apiKey({ quota: daily });
    const calls = patchEchoes(key);
    render(<UsageQuotaEditor apiKey={key} credentialAdmin={false} />);
    await userEvent.click(screen.getByRole('button', { name: 'Remove quota' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Quota removed.');
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ quota: null });
    expect(screen.queryByRole('meter')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove quota' })).not.toBeInTheDocument();
  });

  it('shows the detail of a refused save', async () => {
    mockApi({ [`PATCH ${PATH}`]: () => problem(400, 'An administrator set this quota: only lower it', 'quota') });
    render(<UsageQuotaEditor apiKey={apiKey({ quota: daily })} credentialAdmin={false} />);
    await userEvent.clear(screen.getByLabelText('Requests'));
    await userEvent.type(screen.getByLabelText('Requests'), '900');
    await userEvent.click(screen.getByRole('button', { name: 'Save quota' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('An administrator set this quota: only lower it');
  });

  it('says an administrator set it, and offers no removal, to a user who is not a credential admin', () => {
    const key = apiKey({ quota: daily, adminRestrictions: ['QUOTA'] as unknown as ApiKey['adminRestrictions'] });
    const { unmount } = render(<UsageQuotaEditor apiKey={key} credentialAdmin={false} />);
    expect(screen.getByText(/An administrator set this quota/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove quota' })).not.toBeInTheDocument();
    unmount();
    render(<UsageQuotaEditor apiKey={key} credentialAdmin />);
    expect(screen.queryByText(/An administrator set this quota/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove quota' })).toBeInTheDocument();
  });

  it('is read-only for a revoked key: the state, no inputs or buttons', () => {
    render(<UsageQuotaEditor apiKey={apiKey({ status: 'REVOKED', quota: daily })} credentialAdmin />);
    expect(screen.getByText('120 of 500 left this day')).toBeInTheDocument();
    expect(screen.queryByRole('spinbutton')).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
