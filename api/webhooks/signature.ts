import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * Loads Freshchat's console public key in any of the forms it is found in: PEM, a one-line PEM,
 * or labelled "RSA PUBLIC KEY" around an SPKI body. The armour is dropped and the DER read as SPKI,
 * then PKCS#1 in case the label is ever true.
 */
export function loadFreshchatKey(text: string): KeyObject {
  const der = Buffer.from(text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

/** Freshchat's real scheme: RSA PKCS#1 v1.5 with SHA-256 over the raw body, base64. */
export function rsaSignatureValid(raw: Buffer, signature: string, key: KeyObject): boolean {
  try {
    return verify('sha256', raw, key, Buffer.from(signature.trim(), 'base64'));
  } catch {
    return false;
  }
}

/**
 * The simplified format's scheme (docs/decisions.md #1): hex HMAC-SHA256 of the raw body with the shared secret,
 * compared in constant time.
 */
export function hmacSignatureValid(raw: Buffer, signature: string, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = /^[0-9a-fA-F]{64}$/.test(signature.trim()) ? Buffer.from(signature.trim(), 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookVerifier {
  (raw: Buffer, signature: string | undefined): boolean;
}

/** Accepts a delivery when any configured scheme verifies its raw bytes. */
export function createWebhookVerifier(options: { secret?: string; publicKey?: string }): WebhookVerifier {
  const key = options.publicKey ? loadFreshchatKey(options.publicKey) : undefined;
  return (raw, signature) => {
    if (!signature) return false;
    if (options.secret && hmacSignatureValid(raw, signature, options.secret)) return true;
    return key !== undefined && rsaSignatureValid(raw, signature, key);
  };
}
