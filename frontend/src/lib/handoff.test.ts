import { describe, expect, it } from 'vitest';
import { fromBase64Url, open, proofOf, seal, seedOf, toBase64Url } from '@/lib/handoff';

describe('hand-off sealing (WebCrypto)', () => {
  it('seals a secret that only the fragment opens, and never carries it in what the server stores', async () => {
    const secret = 'ksk_EXAMPLE-not-a-real-key-0123456789abcd';
    const sealed = await seal(secret);
    expect(sealed.ciphertext).not.toContain(secret);
    expect(sealed.fragment).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sealed.proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sealed.proof).not.toBe(sealed.fragment);
    const seed = seedOf(`#${sealed.fragment}`)!;
    expect(await proofOf(seed)).toBe(sealed.proof);
    expect(await open(seed, sealed.ciphertext)).toBe(secret);
  });

  it('refuses a cut or changed fragment, and a changed ciphertext', async () => {
    const sealed = await seal('ksk_secret');
    expect(seedOf(`#${sealed.fragment.slice(0, 20)}`)).toBeUndefined();
    expect(seedOf('#not base64!')).toBeUndefined();
    expect(seedOf('')).toBeUndefined();
    const other = seedOf(`#${(await seal('x')).fragment}`)!;
    await expect(open(other, sealed.ciphertext)).rejects.toThrow();
    const bytes = fromBase64Url(sealed.ciphertext)!;
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await expect(open(seedOf(`#${sealed.fragment}`)!, toBase64Url(bytes))).rejects.toThrow();
  });
});
