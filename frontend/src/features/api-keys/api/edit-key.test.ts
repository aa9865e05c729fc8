import { describe, expect, it } from 'vitest';
import { keyRights } from '@/features/api-keys/api/edit-key';

describe('the rights a key may be given', () => {
  it('are the owner’s, cut down to what its maker holds', () => {
    const owner = {
      permissions: ['people:read', 'people:write', 'audit:read'],
      fieldRights: { firstName: 'EDIT', salary: 'VIEW', iban: 'EDIT' } as const,
      known: true,
    };
    const me = {
      permissions: ['people:read', 'audit:read', 'keys:manage-all'],
      fieldRights: { firstName: 'VIEW', iban: 'EDIT', phone: 'EDIT' } as const,
    };
    expect(keyRights(owner, me)).toEqual({
      permissions: ['people:read', 'audit:read'],
      fieldRights: { firstName: 'VIEW', iban: 'EDIT' },
      known: true,
    });
  });

  it('never include what the owner lacks, even if the maker holds it', () => {
    const owner = { permissions: [], fieldRights: {}, known: true };
    const me = { permissions: ['people:read'], fieldRights: { firstName: 'EDIT' } as const };
    expect(keyRights(owner, me)).toEqual({ permissions: [], fieldRights: {}, known: true });
  });
});
