import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { KeyRestrictions } from '@/features/api-keys/components/KeyRestrictions';
import { apiKey } from '@/testing/mock-api';

describe('what an administrator set on a key', () => {
  it('says a key was disabled by an administrator, and which limits only an administrator loosens', () => {
    render(
      <KeyRestrictions
        apiKey={apiKey({ status: 'DISABLED', adminRestrictions: ['DISABLED', 'EXPIRES_AT', 'IP_ALLOWLIST'] })}
      />,
    );
    const list = screen.getByRole('list', { name: 'Restrictions' });
    expect(list).toHaveTextContent('Disabled by an administrator: only an administrator can enable it.');
    expect(list).toHaveTextContent('you can bring it earlier, not later');
    expect(list).toHaveTextContent('you can narrow it, not widen or remove it');
  });

  it('says nothing of a disable the owner chose, nor of a key without restrictions', () => {
    const { container } = render(<KeyRestrictions apiKey={apiKey({ status: 'DISABLED', adminRestrictions: [] })} />);
    expect(container).toBeEmptyDOMElement();
    const second = render(<KeyRestrictions apiKey={apiKey()} />);
    expect(second.container).toBeEmptyDOMElement();
  });

  it('shows a suspended key and why, and a compact line for lists', () => {
    render(<KeyRestrictions apiKey={apiKey({ suspendedReason: 'HOLDER_INACTIVE' })} />);
    expect(screen.getByRole('list', { name: 'Restrictions' })).toHaveTextContent(
      /Suspended: whoever holds its secret has been deactivated/,
    );
    const compact = render(
      <KeyRestrictions compact apiKey={apiKey({ status: 'DISABLED', adminRestrictions: ['DISABLED'] })} />,
    );
    expect(compact.getByText('Disabled by an administrator')).toBeInTheDocument();
  });
});
