/**
 * Passkeys in the browser with plain navigator.credentials: the server's options (binary fields base64url, WebAuthn
 * Level 3 JSON) become ArrayBuffers, and the credential comes back as the JSON the server verifies. No crypto here.
 */

type Json = Record<string, unknown>;

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && 'PublicKeyCredential' in window && Boolean(navigator.credentials);
}

export function fromBase64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toBase64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

type Descriptor = { type: string; id: string; transports?: string[] };

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] {
  return ((list as Descriptor[] | undefined) ?? []).map((d) => ({
    type: 'public-key',
    id: fromBase64url(d.id),
    ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}),
  }));
}

/** navigator.credentials.create with the server's creation options; the answer as JSON for registerPasskey. */
export async function createPasskey(options: { publicKey: Json }): Promise<Json> {
  const o = options.publicKey;
  const user = o.user as Json;
  const publicKey: PublicKeyCredentialCreationOptions = {
    ...(o as object),
    challenge: fromBase64url(o.challenge as string),
    user: { ...(user as object), id: fromBase64url(user.id as string) } as PublicKeyCredentialUserEntity,
    excludeCredentials: descriptors(o.excludeCredentials),
  } as PublicKeyCredentialCreationOptions;
  const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error('No passkey was created');
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/** navigator.credentials.get with the server's request options; the answer as JSON for sign-in or step-up. */
export async function getPasskey(options: { publicKey: Json }): Promise<Json> {
  const o = options.publicKey;
  const publicKey: PublicKeyCredentialRequestOptions = {
    ...(o as object),
    challenge: fromBase64url(o.challenge as string),
    allowCredentials: descriptors(o.allowCredentials),
  };
  const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error('No passkey was used');
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/** A browser's refusal (cancelled, timed out, not allowed) as a sentence for the error summary. */
export function passkeyError(error: unknown): Error {
  if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'AbortError')) {
    return new Error('The passkey request was cancelled or timed out. Try again.');
  }
  if (error instanceof DOMException && error.name === 'InvalidStateError') {
    return new Error('This device already holds a passkey for your account.');
  }
  return error instanceof Error ? error : new Error('The passkey could not be used');
}
