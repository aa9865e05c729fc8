import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { NamedRateLimitsEditor, rowsProblem } from '@/features/api-keys/components/NamedRateLimits';
import { apiKey } from '@/testing/mock-api';

describe('named rate limits on the key page', () => {
  it('lists the key’s limits and lets one be added, up to five', async () => {
    render(
      <NamedRateLimitsEditor
        apiKey={apiKey({
          rateLimits: [
            { name: 'burst', limit: 20, windowSeconds: 1 },
            { name: 'sustained', limit: 5000, windowSeconds: 3600 },
          ],
        })}
      />,
    );
    expect(screen.getByLabelText('Limit 1: name')).toHaveValue('burst');
    expect(screen.getByLabelText('Limit 2: requests')).toHaveValue(5000);
    expect(screen.getByRole('button', { name: 'Save rate limits' })).toBeDisabled();
    const add = screen.getByRole('button', { name: 'Add a limit' });
    await userEvent.click(add);
    await userEvent.click(add);
    await userEvent.click(add);
    expect(add).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Save rate limits' })).toBeEnabled();
  });

  it('says what is wrong before sending', () => {
    expect(rowsProblem([{ name: 'Burst', limit: '1', windowSeconds: '1' }])).toMatch(/a-z/);
    expect(rowsProblem([{ name: 'key', limit: '1', windowSeconds: '1' }])).toMatch(/per-minute/);
    expect(rowsProblem([{ name: 'a', limit: '0', windowSeconds: '1' }])).toMatch(/1 to 1,000,000/);
    expect(rowsProblem([{ name: 'a', limit: '1', windowSeconds: '86401' }])).toMatch(/86,400/);
    expect(
      rowsProblem([
        { name: 'a', limit: '1', windowSeconds: '1' },
        { name: 'a', limit: '2', windowSeconds: '2' },
      ]),
    ).toMatch(/twice/);
    expect(rowsProblem([{ name: 'hourly', limit: '100', windowSeconds: '3600' }])).toBeUndefined();
  });
});
