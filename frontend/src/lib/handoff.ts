import { api, unwrap, type Schemas } from '@/lib/api-client';

export type Handoff = Schemas['Handoff'];
export type HandoffState = Schemas['HandoffState'];

/**
 * One-time hand-off links, end to end encrypted (issue 18). The creator's browser draws 32 random bytes that travel
 * only in the link's fragment (never sent to a server); HKDF-SHA-256 derives from them an AES-GCM key, which
 * encrypts the secret, and a proof, which the partner's browser presents to have the ciphertext released once.
 * The server stores the ciphertext and a hash of the proof: it cannot read the secret. WebCrypto does all of it.
 */
const SALT = new TextEncoder().encode('keysmith-handoff-v1');
const ENCRYPTION = new TextEncoder().encode('encryption');
const PROOF = new TextEncoder().encode('proof');
const SEED_BYTES = 32;
const IV_BYTES = 12;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of a base64url text, or undefined when it is not one. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

async function derive(seed: Uint8Array) {
  const base = await crypto.subtle.importKey('raw', seed as BufferSource, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: ENCRYPTION },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  const proof = new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: PROOF }, base, 256),
  );
  return { key, proof: toBase64Url(proof) };
}

/** The seed of a link's fragment, or undefined when the fragment is missing, cut or changed in length. */
export function seedOf(fragment: string): Uint8Array | undefined {
  const seed = fromBase64Url(fragment.replace(/^#/, ''));
  return seed && seed.length === SEED_BYTES ? seed : undefined;
}

/** Encrypts {@code secret} under a fresh seed: what the server stores, and the fragment only the link carries. */
export async function seal(secret: string) {
  const seed = crypto.getRandomValues(new Uint8Array(SEED_BYTES));
  const { key, proof } = await derive(seed);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(secret)),
  );
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return { ciphertext: toBase64Url(out), proof, fragment: toBase64Url(seed) };
}

/** The proof a reveal presents for {@code seed}. */
export async function proofOf(seed: Uint8Array): Promise<string> {
  return (await derive(seed)).proof;
}

/** Decrypts a released ciphertext; throws when it was not sealed under this seed (a damaged link). */
export async function open(seed: Uint8Array, ciphertext: string): Promise<string> {
  const bytes = fromBase64Url(ciphertext);
  if (!bytes || bytes.length <= IV_BYTES) throw new Error('damaged');
  const { key } = await derive(seed);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES) },
    key,
    bytes.slice(IV_BYTES),
  );
  return new TextDecoder().decode(plain);
}

/** Makes a link for a key's secret: encrypted here, stored there; the full link (with its fragment) is returned. */
export async function createHandoff(keyId: string, secret: string, expiresInHours?: number) {
  const sealed = await seal(secret);
  const created = unwrap(
    await api.POST('/api/v1/api-keys/{keyId}/handoffs', {
      params: { path: { keyId } },
      body: {
        ciphertext: sealed.ciphertext,
        proof: sealed.proof,
        ...(expiresInHours ? { expiresInHours } : {}),
      },
    }),
  );
  return { handoff: created.handoff, link: `${created.url}#${sealed.fragment}` };
}

export async function listHandoffs(keyId: string, signal?: AbortSignal): Promise<Handoff[]> {
  return unwrap(await api.GET('/api/v1/api-keys/{keyId}/handoffs', { params: { path: { keyId } }, signal })).items;
}

export async function withdrawHandoff(handoffId: string): Promise<Handoff> {
  return unwrap(await api.POST('/api/v1/handoffs/{handoffId}/withdraw', { params: { path: { handoffId } } }));
}

export async function handoffState(handoffId: string, signal?: AbortSignal): Promise<HandoffState> {
  return unwrap(await api.GET('/api/v1/handoffs/{handoffId}', { params: { path: { handoffId } }, signal }));
}

/** Asks for the ciphertext, once, with the proof; decrypts it here. */
export async function revealHandoff(handoffId: string, seed: Uint8Array): Promise<string> {
  const released = unwrap(
    await api.POST('/api/v1/handoffs/{handoffId}/reveal', {
      params: { path: { handoffId } },
      body: { proof: await proofOf(seed) },
    }),
  );
  return open(seed, released.ciphertext);
}
