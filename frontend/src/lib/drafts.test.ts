import { afterEach, describe, expect, it } from 'vitest';
import { renderHook } from '@testing-library/react';
import { clearDraft, loadDraft, saveDraft, useDraft } from '@/lib/drafts';

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

  it('are kept only while the form says so: an edit form showing what is stored keeps none', () => {
    const { rerender } = renderHook(({ values, keep }) => useDraft('policies', values, keep), {
      initialProps: { values: { maxDays: '30' }, keep: true },
    });
    expect(loadDraft('policies')).toEqual({ maxDays: '30' });
    rerender({ values: { maxDays: '30' }, keep: false });
    expect(loadDraft('policies')).toBeUndefined();
  });
});
