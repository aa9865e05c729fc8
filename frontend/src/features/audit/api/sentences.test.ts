import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  fieldLabel,
  SENTENCES,
  sentence,
  sentenceText,
  type AuditEvent,
} from '@/features/audit/api/sentences';

const base: AuditEvent = {
  id: '1',
  occurredAt: '2026-12-02T01:00:00Z',
  action: 'api-key.revoked',
  actorUserId: '00000000-0000-4000-8000-000000000001',
  actorName: 'Ada Lovelace',
  targetType: 'api-key',
  targetId: '00000000-0000-4000-8000-00000000000c',
  targetName: 'Payroll sync',
  apiType: 'PEOPLE',
  apiTypeTitle: 'People API',
  sourceAddress: '203.0.113.7',
  changedFields: [],
};

describe('audit sentences', () => {
  it('reads a revoked key as the issue asks', () => {
    expect(sentenceText(base)).toBe('Ada Lovelace revoked the key “Payroll sync” (People API) from 203.0.113.7');
  });

  it('has a sentence that names who acted or what was done for every action the contract declares', () => {
    for (const action of ACTIONS) {
      const text = sentenceText({ ...base, action, targetType: action.startsWith('user') ? 'user' : base.targetType });
      expect(text, action).not.toContain('{');
      expect(text, action).not.toContain(action); // never the code itself
      expect(text.length, action).toBeGreaterThan(10);
    }
    // the Record type makes it complete at compile time; this catches a sentence for an action the contract dropped
    expect(Object.keys(SENTENCES)).toHaveLength(ACTIONS.length);
  });

  it('names the person or user an event is about, links to them, and never shows their id', () => {
    const personId = '00000000-0000-4000-8000-0000000000aa';
    const about = ACTIONS.filter((a) => a.startsWith('person.') || a.startsWith('user.'));
    expect(about.length).toBeGreaterThan(5);
    for (const action of about) {
      const targetType = action.startsWith('person.') ? 'person' : 'user';
      const named: AuditEvent = { ...base, action, targetType, targetId: personId, targetName: 'Grace Hopper' };
      const parts = sentence(named);
      const text = sentenceText(named);
      if (SENTENCES[action].includes('{target}')) {
        expect(text, action).toContain('Grace Hopper');
        expect(text, action).not.toContain('“Grace Hopper”');
        expect(parts.find((p) => p.kind === 'target')?.to, action).toContain(personId);
      }
      expect(text, action).not.toContain(personId.slice(0, 8));
      const hidden = sentenceText({ ...named, targetName: undefined });
      expect(hidden, action).not.toContain(personId.slice(0, 8));
    }
    expect(
      sentenceText({
        ...base,
        action: 'person.updated',
        targetType: 'person',
        targetId: personId,
        targetName: undefined,
      }),
    ).toBe('Ada Lovelace changed the person record (name not available) from 203.0.113.7');
  });

  it('names the new owner of a transferred key, linked, and says a new owner once they are gone', () => {
    const to = '00000000-0000-4000-8000-0000000000bb';
    const e: AuditEvent = { ...base, action: 'api-key.transferred', subjectUserId: to, subjectName: 'Grace Hopper' };
    expect(sentenceText(e)).toBe(
      'Ada Lovelace transferred the key “Payroll sync” (People API) to Grace Hopper from 203.0.113.7',
    );
    expect(sentence(e).find((p) => p.kind === 'subject')?.to).toBe(`/audit?targetType=user&targetId=${to}`);
    expect(sentenceText({ ...e, subjectName: undefined, subjectUserId: undefined })).toContain('to a new owner');
  });

  it('names the key a keyed write came with, and its owner when the write was On-Behalf-Of someone else', () => {
    const key = '00000000-0000-4000-8000-0000000000cc';
    const keyed: AuditEvent = {
      ...base,
      action: 'person.updated',
      targetType: 'person',
      targetName: 'Grace Hopper',
      viaKeyId: key,
      viaKeyName: 'HR sync',
      viaKeyOwnerUserId: base.actorUserId,
      viaKeyOwnerName: 'Ada Lovelace',
    };
    expect(sentenceText(keyed)).toBe(
      'Ada Lovelace changed the person record Grace Hopper with their key “HR sync” from 203.0.113.7',
    );
    expect(sentence(keyed).find((p) => p.text === '“HR sync”')?.to).toBe(`/api-keys/${key}/edit`);
    const owner = '00000000-0000-4000-8000-0000000000dd';
    const onBehalf = { ...keyed, viaKeyOwnerUserId: owner, viaKeyOwnerName: 'Charles Babbage' };
    expect(sentenceText(onBehalf)).toBe(
      'Ada Lovelace changed the person record Grace Hopper with the key “HR sync” of Charles Babbage from 203.0.113.7',
    );
    expect(sentence(onBehalf).find((p) => p.text === 'Charles Babbage')?.to).toBe(`/audit?actorUserId=${owner}`);
    // a key deleted since: the sentence stays without it
    expect(sentenceText({ ...keyed, viaKeyId: undefined, viaKeyName: undefined })).toBe(
      'Ada Lovelace changed the person record Grace Hopper from 203.0.113.7',
    );
  });

  it('names who acted when it was not a user, and says someone when nobody is known', () => {
    expect(
      sentenceText({
        ...base,
        action: 'organization.created',
        actorName: undefined,
        actorUserId: undefined,
        actorLabel: 'operator',
        targetType: 'organization',
        targetName: 'Acme',
      }),
    ).toBe('An operator created the organization Acme from 203.0.113.7');
    expect(
      sentenceText({
        ...base,
        action: 'session.sign-in-failed',
        actorName: undefined,
        actorUserId: undefined,
        targetType: 'user',
        targetName: 'Grace Hopper',
      }),
    ).toBe('Someone failed to sign in as Grace Hopper from 203.0.113.7');
  });

  it('puts the address inside a sentence that needs it, once', () => {
    expect(
      sentenceText({
        ...base,
        action: 'api-key.used-from-new-address',
        actorName: undefined,
        actorUserId: undefined,
        actorLabel: 'api-key',
      }),
    ).toBe('The key “Payroll sync” (People API) was used from a new address, 203.0.113.7');
  });

  it('shows an unnamed target by the start of its id, and links only what has a page', () => {
    const parts = sentence({ ...base, targetName: undefined });
    expect(parts.map((p) => p.text).join('')).toContain('“00000000…”');
    expect(parts.find((p) => p.kind === 'target')?.to).toBe(`/api-keys/${base.targetId}/edit`);
    expect(parts.find((p) => p.kind === 'actor')?.to).toBe(`/audit?actorUserId=${base.actorUserId}`);
    const deleted = sentence({
      ...base,
      action: 'access-level.deleted',
      targetType: 'access-level',
      targetName: 'Auditors',
    });
    expect(deleted.find((p) => p.kind === 'target')?.to).toBeUndefined();
  });

  it('turns field names into words', () => {
    expect(fieldLabel('firstName')).toBe('first name');
    expect(fieldLabel('rateLimitPerMinute')).toBe('rate limit per minute');
    expect(fieldLabel('ipAllowlist')).toBe('ip allowlist');
  });
});
