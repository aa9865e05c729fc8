import { afterEach, describe, expect, it } from 'vitest';
import { clearDraft, loadDraft, saveDraft } from '@/lib/drafts';

afterEach(() => window.sessionStorage.clear());

const SECRET = 'ksk_AbCdEfGhIjKlMnOpQrStUvWxYz012345abcdef';

describe('form drafts', () => {
  it('keep what was typed in this tab and give it back', () => {
    saveDraft('users.add', { firstName: 'Bob', email: 'bob@acme.test', tags: ['a'] });
    expect(loadDraft('users.add')).toEqual({ firstName: 'Bob', email: 'bob@acme.test', tags: ['a'] });
    clearDraft('users.add');
    expect(loadDraft('users.add')).toBeUndefined();
  });

  it('never store a password, a token or a secret, whatever the form passes', () => {
    saveDraft('sign-up', {
      organizationName: 'Acme',
      password: 'correct horse battery staple',
      newPassword: 'another one here',
      clientSecret: 's3cr3t',
      token: 'abc',
      description: `my key is ${SECRET}`,
      notes: [SECRET],
    });
    const stored = Object.values({ ...window.sessionStorage }).join('\n');
    expect(stored).toContain('Acme');
    for (const value of ['correct horse', 'another one', 's3cr3t', '"abc"', SECRET])
      expect(stored).not.toContain(value);
    expect(loadDraft('sign-up')).toEqual({ organizationName: 'Acme' });
  });

  it('store nothing for an empty form', () => {
    saveDraft('users.add', { firstName: '', email: '' });
    expect(window.sessionStorage.length).toBe(0);
  });
});
