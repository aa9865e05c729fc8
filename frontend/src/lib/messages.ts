import { FIELD_FACTS, type FieldFacts } from '@/api/field-titles';
import { formatDuration } from '@/lib/format';

const ACRONYMS: Record<string, string> = { ip: 'IP', ips: 'IPs', url: 'URL', api: 'API', id: 'ID', csv: 'CSV' };

/** "rateLimitPerMinute" -> "Rate limit per minute", "ipAllowlist" -> "IP allowlist": until the contract titles it. */
export function humanizeName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .map((w) => ACRONYMS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The contract's facts about a field ("ipAllowlist.0" and "/ipAllowlist/0" name "ipAllowlist"). */
type Facts = Record<string, FieldFacts>;

function facts(path: string, table: Facts): FieldFacts & { name: string } {
  const name = path.replace(/^\//, '').split(/[./]/)[0] ?? path;
  return { name, ...(table[name] ?? {}) };
}

/** The field's title from the contract, or its humanized name. */
export function fieldTitle(path: string, table: Facts = FIELD_FACTS): string {
  const f = facts(path, table);
  return f.title ?? humanizeName(f.name);
}

const FORMAT_WORDS: Record<string, string> = {
  uri: 'a valid URL',
  url: 'a valid URL',
  email: 'a valid e-mail address',
  uuid: 'a valid ID',
  'date-time': 'a valid date and time',
  date: 'a valid date',
  ipv4: 'a valid IPv4 address',
  ipv6: 'a valid IPv6 address',
};

function formatWords(f: FieldFacts & { name: string }, said?: string): string {
  const known = FORMAT_WORDS[f.format ?? ''] ?? FORMAT_WORDS[said?.toLowerCase() ?? ''];
  if (known) return known;
  if (/url|website|uri|link/i.test(f.name)) return FORMAT_WORDS.uri!;
  if (/email/i.test(f.name)) return FORMAT_WORDS.email!;
  return 'in the expected format';
}

/** The server's wording of one validation finding ("has the wrong format") as what to change. */
function predicate(path: string, rest: string, table: Facts): string {
  const f = facts(path, table);
  let m: RegExpMatchArray | null;
  if ((m = rest.match(/^is missing a required property: '([^']+)'/))) return `${fieldTitle(m[1]!, table)} is required`;
  const title = fieldTitle(path, table);
  if (/^has the wrong format/.test(rest)) return `${title} must be ${formatWords(f)}`;
  if ((m = rest.match(/^is not a valid (\S+)/))) return `${title} must be ${formatWords(f, m[1])}`;
  if (/^is too short/.test(rest))
    return f.minLength ? `${title} must be at least ${f.minLength} characters` : `${title} is too short`;
  if (/^is too long/.test(rest))
    return f.maxLength ? `${title} must be at most ${f.maxLength} characters` : `${title} is too long`;
  if (/^is too small/.test(rest))
    return f.minimum !== undefined ? `${title} must be at least ${f.minimum}` : `${title} is too small`;
  if (/^is too large/.test(rest))
    return f.maximum !== undefined ? `${title} must be at most ${f.maximum}` : `${title} is too large`;
  if (/^has too many items/.test(rest))
    return f.maxItems !== undefined
      ? `${title} can have at most ${f.maxItems} entries`
      : `${title} has too many entries`;
  if (/^has too few items/.test(rest))
    return f.minItems !== undefined ? `${title} needs at least ${f.minItems} entries` : `${title} has too few entries`;
  if (/^is not one of the allowed values/.test(rest)) return `${title} is not one of the choices`;
  if (/^has the wrong type/.test(rest)) return `${title} has the wrong kind of value`;
  if (/^is required/.test(rest)) return `${title} is required`;
  return `${title} ${rest}`;
}

/**
 * A server message as a person reads it: field names become the contract's titles, validation wording says what to
 * change, and waits are in words ("try again in 15 minutes", not "in 897 seconds").
 */
export function humanizeMessage(message: string, table: Facts = FIELD_FACTS): string {
  let text = message.replace(/in (\d+) seconds?/g, (_, s: string) => `in ${formatDuration(Number(s))}`);
  const m = text.match(/^(?:Field|Parameter) '([^']*)' (.*)$/s);
  if (m) text = predicate(m[1]!, m[2]!, table);
  return text;
}
