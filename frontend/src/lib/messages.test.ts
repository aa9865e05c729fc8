import { describe, expect, it } from 'vitest';
import { FIELD_FACTS } from '@/api/field-titles';
import { fieldTitle, humanizeMessage, humanizeName } from '@/lib/messages';

describe('human error messages', () => {
  it('word a format problem as what the field must be, from the contract’s facts', () => {
    const table = { website: { maxLength: 300 }, workEmail: { format: 'email' }, ownerUserId: { format: 'uuid' } };
    expect(humanizeMessage("Field 'website' has the wrong format", table)).toBe('Website must be a valid URL');
    expect(humanizeMessage("Field 'workEmail' is not a valid email", table)).toBe(
      'Work email must be a valid e-mail address',
    );
    expect(humanizeMessage("Parameter 'ownerUserId' is not a valid uuid", table)).toBe(
      'Owner user ID must be a valid ID',
    );
  });

  it('prefer the contract’s title over the field’s name', () => {
    const table = { website: { title: 'Partner website' } };
    expect(humanizeMessage("Field 'website' has the wrong format", table)).toBe('Partner website must be a valid URL');
    expect(fieldTitle('/website/0', table)).toBe('Partner website');
  });

  it('name the limit a value broke when the contract gives it', () => {
    const table = { name: { minLength: 1, maxLength: 100 }, rateLimitPerMinute: { minimum: 1, maximum: 100000 } };
    expect(humanizeMessage("Field 'name' is too long", table)).toBe('Name must be at most 100 characters');
    expect(humanizeMessage("Field 'rateLimitPerMinute' is too large", table)).toBe(
      'Rate limit per minute must be at most 100000',
    );
    expect(humanizeMessage("Field '' is missing a required property: 'lastName'", table)).toBe('Last name is required');
    expect(humanizeMessage("Field 'ipAllowlist.3' has too many items", { ipAllowlist: { maxItems: 50 } })).toBe(
      'IP allowlist can have at most 50 entries',
    );
  });

  it('say waits in words', () => {
    expect(humanizeMessage('Too many sign-in attempts for this e-mail; try again in 897 seconds')).toBe(
      'Too many sign-in attempts for this e-mail; try again in 15 minutes',
    );
    expect(humanizeMessage('Slow down; try again in 1 seconds')).toBe('Slow down; try again in 1 second');
  });

  it('leave a message that is already a sentence alone', () => {
    expect(humanizeMessage('You cannot revoke a key of another organization')).toBe(
      'You cannot revoke a key of another organization',
    );
  });

  it('humanize names with acronyms', () => {
    expect(humanizeName('ipAllowlist')).toBe('IP allowlist');
    expect(humanizeName('apiType')).toBe('API type');
    expect(humanizeName('previousSecretValidUntil')).toBe('Previous secret valid until');
  });

  it('are generated from openapi.yaml: the contract’s limits are in the table', () => {
    // A fact taken from the contract at build time (scripts/field-titles.js), not written here.
    expect(FIELD_FACTS.workEmail?.format).toBe('email');
    expect(Object.keys(FIELD_FACTS).length).toBeGreaterThan(50);
  });
});
