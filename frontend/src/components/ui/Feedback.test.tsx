import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { EmptyState, ErrorBox } from '@/components/ui/Feedback';
import { ApiError } from '@/lib/api-client';

const inRouter = (node: React.ReactNode) =>
  render(<RouterProvider router={createMemoryRouter([{ path: '/', element: node }])} />);

describe('ErrorBox', () => {
  it('turns an id that cannot exist into a not-found panel, with no useless "Try again"', () => {
    const error = new ApiError({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: "Parameter 'keyId' is not a valid uuid",
    });
    inRouter(<ErrorBox error={error} onRetry={vi.fn()} />);
    expect(screen.getByText('Nothing here')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.queryByText(/uuid/)).toBeNull();
  });

  it('does the same for a 404', () => {
    inRouter(<ErrorBox error={new ApiError({ type: 'about:blank', title: 'Not Found', status: 404 })} />);
    expect(screen.getByText('Nothing here')).toBeInTheDocument();
  });

  it('keeps "Try again" for a failure a retry can fix, in human words', () => {
    const error = new ApiError({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many requests; try again in 897 seconds',
    });
    inRouter(<ErrorBox error={error} onRetry={vi.fn()} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Too many requests; try again in 15 minutes');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('EmptyState', () => {
  it('draws its icon inline (no font glyph that renders as a box on Linux)', () => {
    const { container } = render(<EmptyState title="No keys" />);
    expect(container.querySelector('.empty-state__icon svg')).not.toBeNull();
    expect(container.textContent).not.toMatch(/[⚿🔒🔍🤝☺]/u);
    render(<EmptyState title="Locked" icon="🔒" />);
    expect(container.ownerDocument.querySelectorAll('.empty-state__icon svg')).toHaveLength(2);
  });
});
