import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StatusBadge } from './StatusBadge';

function stubFetch(status: number, body: unknown) {
  const fetch = vi.fn((_request: Request) =>
    Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })),
  );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

afterEach(() => vi.unstubAllGlobals());

describe('StatusBadge', () => {
  it('says the database is up when /health/ready answers UP', async () => {
    const fetch = stubFetch(200, { status: 'UP', database: 'UP' });
    render(<StatusBadge />);
    expect(await screen.findByText('Database: up')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Database: up');
    const request = fetch.mock.calls[0]![0];
    expect(new URL(request.url).pathname).toBe('/health/ready');
  });

  it('says the database is down when /health/ready answers 503', async () => {
    stubFetch(503, { type: 'about:blank', title: 'Service Unavailable', status: 503 });
    render(<StatusBadge />);
    expect(await screen.findByText('Database: down')).toBeInTheDocument();
  });

  it('says the database is down when the server cannot be reached', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    render(<StatusBadge />);
    expect(await screen.findByText('Database: down')).toBeInTheDocument();
  });
});
