import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '@/app/router';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AppRoutes />
    </MemoryRouter>,
  );
}

beforeEach(() => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => Response.json({ status: 'UP', database: 'UP' })),
  );
});
afterEach(() => vi.unstubAllGlobals());

describe('the shell', () => {
  it('offers the main navigation and landmarks with accessible names', async () => {
    renderAt('/');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    for (const name of ['API Keys', 'People', 'API Management']) {
      expect(within(nav).getByRole('link', { name })).toHaveAttribute('href');
    }
    expect(within(nav).getByRole('list', { name: 'Settings' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Keysmith home' })).toHaveAttribute('href', '/');
    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Profile' })).toBeInTheDocument();
    expect(await screen.findByText('Database: up')).toBeInTheDocument();
  });

  it.each([
    ['/api-keys', 'API Keys'],
    ['/people', 'People'],
    ['/settings/api-management', 'API Management'],
  ])('renders the deep link %s inside the shell', async (path, title) => {
    renderAt(path);
    expect(screen.getByRole('heading', { level: 1, name: title })).toBeInTheDocument();
    expect(screen.getByText('Coming soon')).toBeInTheDocument();
    const link = within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: title });
    expect(link).toHaveAttribute('aria-current', 'page');
    await screen.findByText('Database: up');
  });

  it('shows the not-found page for an unknown route, still inside the shell', async () => {
    renderAt('/no/such/page');
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
    await screen.findByText('Database: up');
  });
});
