import type { Schemas } from '@/lib/api-client';

export type AuditAction = Schemas['AuditAction'];
export type AuditEvent = Schemas['AuditEvent'];
export type AuditTargetType = Schemas['AuditTargetType'];

/**
 * One sentence per action the server records. Typed by the contract's AuditAction enum, so a new action the server
 * can write fails `tsc` here until it has a sentence (and the server's test fails until the contract lists it).
 * `{actor}` is who acted, `{target}` what it was done to (named, linked), `{subject}` the person a transfer went to,
 * `{address}` where from; without `{address}` the sentence ends "from <address>" when one was recorded. A person
 * or user is named whenever the server names them; only what it may not name (a people record the reader may not
 * see the names of, a deleted one) reads as a description, never as an id.
 */
export const SENTENCES: Record<AuditAction, string> = {
  'access-level.created': '{actor} created the access level {target}',
  'access-level.deleted': '{actor} deleted the access level {target}',
  'access-level.updated': '{actor} changed the access level {target}',
  'api-key.created': '{actor} created the key {target}',
  'api-key.disabled': '{actor} disabled the key {target}',
  'api-key.enabled': '{actor} enabled the key {target}',
  'api-key.revoked': '{actor} revoked the key {target}',
  'api-key.rotated': '{actor} rotated the secret of the key {target}',
  'api-key.transferred': '{actor} transferred the key {target} to {subject}',
  'api-key.updated': '{actor} changed the key {target}',
  'api-key.used-from-new-address': 'The key {target} was used from a new address, {address}',
  'organization.created': '{actor} created the organization {target}',
  'partner.created': '{actor} added the partner {target}',
  'person.created': '{actor} created the person record {target}',
  'person.deleted': '{actor} deleted the person record {target}',
  'person.updated': '{actor} changed the person record {target}',
  'policy.changed': '{actor} changed the key policies of {target}',
  'session.sign-in-failed': 'Someone failed to sign in as {target}',
  'session.signed-in': '{actor} signed in',
  'session.signed-out': '{actor} signed out',
  'user.created': '{actor} added the user {target}',
  'user.deactivated': '{actor} deactivated the user {target}',
  'user.invitation-accepted': '{actor} accepted their invitation and set a password',
  'user.password-reset': '{actor} reset their password',
  'user.password-reset-issued': '{actor} issued a password reset link for {target}',
  'user.reactivated': '{actor} reactivated the user {target}',
  'user.updated': '{actor} changed the user {target}',
  'key.expiring': 'The key {target} expires soon',
  'key.expired': 'The key {target} expired',
  'key.unused': 'The key {target} has not been used for a long time',
  'webhook-endpoint.created': '{actor} added the webhook endpoint {target}',
  'webhook-endpoint.updated': '{actor} changed the webhook endpoint {target}',
  'webhook-endpoint.deleted': '{actor} deleted the webhook endpoint {target}',
  'webhook-endpoint.secret-rotated': '{actor} rotated the signing secret of the webhook endpoint {target}',
  'webhook-endpoint.disabled': 'The webhook endpoint {target} was disabled after failing for days',
  'oauth_client.created': '{actor} created the OAuth client {target}',
  'oauth_client.token_revoked': 'An access token of the OAuth client {target} was revoked',
  'api-key.reduced-to-used': '{actor} reduced the key {target} to the permissions it used',
  'api-key.reduction-undone': '{actor} undid the reduction of the key {target}, restoring its previous permissions',
  'key.leaked': 'The secret of the key {target} was reported leaked',
  'handoff.created': '{actor} made a one-time hand-off link for the key {target}',
  'handoff.revealed': 'The hand-off link of the key {target} was opened and its secret revealed from {address}',
  'handoff.expired': 'The hand-off link of the key {target} expired unopened',
  'handoff.withdrawn': '{actor} withdrew the hand-off link of the key {target}',
  'credential.approval_requested': '{actor} asked for approval of the key {target}',
  'credential.approved': '{actor} approved the key {target}',
  'credential.denied': '{actor} denied the key {target}',
  'session.second-factor-failed': 'Someone entered a wrong second-factor code for {target}',
  'session.stepped-up': '{actor} confirmed it was them for a sensitive action',
  'user.second-factor-enrolled': '{actor} set up a second factor (authenticator app or passkey)',
  'user.second-factor-removed': '{actor} removed a second factor (authenticator app or passkey)',
  'user.second-factors-reset': '{actor} reset the second factors of {target}',
  'user.recovery-code-used': '{actor} signed in with a recovery code',
  'sign-in-policy.changed': '{actor} changed the sign-in policy of {target}',
  'sso.settings-changed': '{actor} changed the single sign-on settings of {target}',
  'session.sso-signed-in': '{actor} signed in with single sign-on',
  'session.sso-sign-in-failed': 'Someone ({actor}) was refused single sign-on',
  'user.sso-provisioned': 'Single sign-on created the user {target}',
  'user.passkey-renamed': '{actor} renamed a passkey',
  'user.passkey-clone-warning':
    'A passkey of {target} was refused: its counter went backwards, so it may have been copied',
};

/** The filter's wording for each action ("Key revoked"), from the same typed list. */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'access-level.created': 'Access level created',
  'access-level.deleted': 'Access level deleted',
  'access-level.updated': 'Access level changed',
  'api-key.created': 'Key created',
  'api-key.disabled': 'Key disabled',
  'api-key.enabled': 'Key enabled',
  'api-key.revoked': 'Key revoked',
  'api-key.rotated': 'Key secret rotated',
  'api-key.transferred': 'Key transferred',
  'api-key.updated': 'Key changed',
  'api-key.used-from-new-address': 'Key used from a new address',
  'organization.created': 'Organization created',
  'partner.created': 'Partner added',
  'person.created': 'Person record created',
  'person.deleted': 'Person record deleted',
  'person.updated': 'Person record changed',
  'policy.changed': 'Key policies changed',
  'session.sign-in-failed': 'Sign-in failed',
  'session.signed-in': 'Signed in',
  'session.signed-out': 'Signed out',
  'user.created': 'User added',
  'user.deactivated': 'User deactivated',
  'user.invitation-accepted': 'Invitation accepted',
  'user.password-reset': 'Password reset',
  'user.password-reset-issued': 'Password reset link issued',
  'user.reactivated': 'User reactivated',
  'user.updated': 'User changed',
  'key.expiring': 'Key expiring soon',
  'key.expired': 'Key expired',
  'key.unused': 'Key unused',
  'webhook-endpoint.created': 'Webhook endpoint added',
  'webhook-endpoint.updated': 'Webhook endpoint changed',
  'webhook-endpoint.deleted': 'Webhook endpoint deleted',
  'webhook-endpoint.secret-rotated': 'Webhook secret rotated',
  'webhook-endpoint.disabled': 'Webhook endpoint disabled',
  'oauth_client.created': 'OAuth client created',
  'oauth_client.token_revoked': 'OAuth access token revoked',
  'api-key.reduced-to-used': 'Key reduced to what it used',
  'api-key.reduction-undone': 'Key reduction undone',
  'key.leaked': 'Key reported leaked',
  'handoff.created': 'Hand-off link made',
  'handoff.revealed': 'Hand-off link revealed',
  'handoff.expired': 'Hand-off link expired',
  'handoff.withdrawn': 'Hand-off link withdrawn',
  'credential.approval_requested': 'Key approval requested',
  'credential.approved': 'Key approved',
  'credential.denied': 'Key denied',
  'session.second-factor-failed': 'Second factor failed',
  'session.stepped-up': 'Stepped up',
  'user.second-factor-enrolled': 'Second factor set up',
  'user.second-factor-removed': 'Second factor removed',
  'user.second-factors-reset': 'Second factors reset',
  'user.recovery-code-used': 'Recovery code used',
  'sign-in-policy.changed': 'Sign-in policy changed',
  'sso.settings-changed': 'Single sign-on settings changed',
  'session.sso-signed-in': 'Signed in with single sign-on',
  'session.sso-sign-in-failed': 'Single sign-on refused',
  'user.sso-provisioned': 'User created by single sign-on',
  'user.passkey-renamed': 'Passkey renamed',
  'user.passkey-clone-warning': 'Passkey refused: its counter went backwards (it may have been copied)',
};

/** How a session was authenticated (RFC 8176 amr values, as sign-in and step-up record them). */
const METHODS: Record<string, string> = {
  pwd: 'password',
  otp: 'authenticator code',
  hwk: 'passkey',
  swk: 'passkey',
  sso: 'single sign-on',
  fed: 'single sign-on',
  user: 'verification on the device',
};

/** " with password and authenticator code": how a sign-in or step-up was made, when the event says. */
function how(e: AuditEvent): string {
  const details = (e.details ?? {}) as { amr?: unknown; method?: unknown };
  const raw = Array.isArray(details.amr) ? details.amr : typeof details.method === 'string' ? [details.method] : [];
  const words = raw.filter((m): m is string => typeof m === 'string').map((m) => METHODS[m] ?? m);
  return words.length ? ` with ${words.join(' and ')}` : '';
}

export const TARGET_LABELS: Record<AuditTargetType, string> = {
  'access-level': 'Access levels',
  'api-key': 'Keys',
  organization: 'The organization',
  partner: 'Partners',
  person: 'Person records',
  user: 'Users',
  'webhook-endpoint': 'Webhook endpoints',
};

export const ACTIONS = Object.keys(SENTENCES) as AuditAction[];
export const TARGET_TYPES = Object.keys(TARGET_LABELS) as AuditTargetType[];

/** A part of a sentence: plain words, or a name that may link somewhere. */
export type Segment = { text: string; to?: string; kind?: 'actor' | 'target' | 'subject' | 'address' };

const LABELLED_ACTORS: Record<string, string> = { operator: 'An operator', 'api-key': 'A key' };

/** "Ada Lovelace" (linked to what she did), "An operator", or "Someone". */
function actor(e: AuditEvent): Segment {
  if (e.actorName) return { text: e.actorName, kind: 'actor', to: `/audit?actorUserId=${e.actorUserId}` };
  if (e.actorLabel) return { text: LABELLED_ACTORS[e.actorLabel] ?? e.actorLabel, kind: 'actor' };
  return { text: 'Someone', kind: 'actor' };
}

/** Where the target's page is: a key's details, an access level's editor; users have no page of their own. */
function targetLink(e: AuditEvent): string | undefined {
  if (!e.targetId) return undefined;
  switch (e.targetType) {
    case 'api-key':
      return `/api-keys/${e.targetId}/edit`;
    case 'access-level':
      return e.action === 'access-level.deleted' ? undefined : `/settings/access-levels/${e.targetId}`;
    case 'user':
      return `/audit?targetType=user&targetId=${e.targetId}`;
    case 'partner':
      return '/partners';
    case 'person':
      // the people list has no page per record; the record's own history is the link (gone or not)
      return `/audit?targetType=person&targetId=${e.targetId}`;
    default:
      return undefined;
  }
}

/** What an unnamed target is called: people by what they are (an id means nothing to a reader), others by their id's start. */
function unnamed(e: AuditEvent): string {
  // hidden from this reader by field rights, or deleted since (events never record a person's name)
  if (e.targetType === 'person') return '(name not available)';
  if (e.targetType === 'user') return 'a user who no longer exists';
  return e.targetId ? `${e.targetId.slice(0, 8)}…` : 'unknown';
}

/** “Payroll sync” (People API), Grace Hopper; a person is never quoted, an unnamed target is described. */
function target(e: AuditEvent): Segment[] {
  const person = e.targetType === 'user' || e.targetType === 'person' || e.targetType === 'organization';
  if (!e.targetName && (e.targetType === 'person' || e.targetType === 'user')) {
    return [{ text: unnamed(e), kind: 'target', to: targetLink(e) }];
  }
  const name = e.targetName ?? unnamed(e);
  const out: Segment[] = [{ text: person ? name : `“${name}”`, kind: 'target', to: targetLink(e) }];
  if (e.targetType === 'api-key' && (e.apiTypeTitle ?? e.apiType)) {
    out.push({ text: ` (${e.apiTypeTitle ?? e.apiType})` });
  }
  return out;
}

/** The new owner of a transferred key, named and linked to what was done to them; "a new owner" once they are gone. */
function subject(e: AuditEvent): Segment {
  if (e.subjectName && e.subjectUserId) {
    return { text: e.subjectName, kind: 'subject', to: `/audit?targetType=user&targetId=${e.subjectUserId}` };
  }
  return { text: 'a new owner', kind: 'subject' };
}

/** A change made with a key: " with their key “Sync”", or " with the key “Sync” of Ada Lovelace" (On-Behalf-Of). */
function viaKey(e: AuditEvent): Segment[] {
  if (!e.viaKeyName || !e.viaKeyId) return [];
  const key: Segment = { text: `“${e.viaKeyName}”`, kind: 'target', to: `/api-keys/${e.viaKeyId}/edit` };
  if (!e.viaKeyOwnerName || e.viaKeyOwnerUserId === e.actorUserId) return [{ text: ' with their key ' }, key];
  return [
    { text: ' with the key ' },
    key,
    { text: ' of ' },
    { text: e.viaKeyOwnerName, kind: 'actor', to: `/audit?actorUserId=${e.viaKeyOwnerUserId}` },
  ];
}

/** The event as a sentence, in parts (names can be links): "Ada Lovelace revoked the key “Payroll sync” (People API) from 203.0.113.7". */
export function sentence(e: AuditEvent): Segment[] {
  const template = SENTENCES[e.action] ?? `{actor} did ${e.action} on {target}`;
  const out: Segment[] = [];
  for (const part of template.split(/(\{actor\}|\{target\}|\{subject\}|\{address\})/)) {
    if (part === '{actor}') out.push(actor(e));
    else if (part === '{subject}') out.push(subject(e));
    else if (part === '{target}') out.push(...target(e));
    else if (part === '{address}') out.push({ text: e.sourceAddress ?? 'an unknown address', kind: 'address' });
    else if (part) out.push({ text: part });
  }
  out.push(...viaKey(e));
  if (e.action === 'session.signed-in' || e.action === 'session.stepped-up') {
    const words = how(e);
    if (words) out.push({ text: words });
  }
  if (!template.includes('{address}') && e.sourceAddress) {
    out.push({ text: ' from ' }, { text: e.sourceAddress, kind: 'address' });
  }
  return out;
}

export function sentenceText(e: AuditEvent): string {
  return sentence(e)
    .map((s) => s.text)
    .join('');
}

/** "firstName" -> "first name": the changed fields' names as words (never their values). */
export function fieldLabel(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}
