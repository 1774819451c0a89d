import { createHmac, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'freshchat');
const vectors = JSON.parse(readFileSync(path.join(FIXTURES, 'signing-test-vectors.json'), 'utf8'));

export const HMAC_SECRET: string = vectors.hmac.secret;
/** The console-style key (RSA label around an SPKI body), the awkward form the backend must accept. */
export const RSA_PUBLIC_KEY: string = vectors.rsa.public_key_rsa_label_spki_body;
export const SIGNATURE_VECTORS = vectors.signatures as Record<string, Record<string, string | string[]>>;
export const PUBLIC_KEY_FORMS: Record<string, string> = vectors.rsa;

export const hmacSign = (body: string | Buffer, secret = HMAC_SECRET): string =>
  createHmac('sha256', secret).update(body).digest('hex');
export const rsaSign = (body: string | Buffer): string =>
  createSign('sha256').update(body).sign(vectors.rsa.private_key_pkcs8_pem, 'base64');

export const fixtureText = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

export const fixture = (name: string): any => JSON.parse(fixtureText(name));

/** Signs like Freshchat would for the body's format: RSA for real payloads, HMAC for simplified ones. */
export function signFor(body: string): string {
  const parsed = JSON.parse(body);
  return parsed?.data?.conversation ? hmacSign(body) : rsaSign(body);
}

export async function postWebhook(
  baseUrl: string,
  body: string,
  signature: string | null = signFor(body),
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-freshchat-signature'] = signature;
  const response = await fetch(`${baseUrl}/webhooks/freshchat`, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json().catch(() => null) };
}

export const APP_JWT_SECRET = 'test-app-jwt-secret-0123456789abcdef';
export const ADMIN_API_TOKEN = 'test-admin-token';
/** The codec server's own credential: not the admin token. */
export const CODEC_TOKEN = 'test-codec-token';
export const SESSION_SECRET = 'test-session-secret';
/** Two payload keys, as after a rotation: `current` encrypts, both decrypt. */
export const TEST_PAYLOAD_KEYS = `current:${Buffer.alloc(32, 7).toString('base64')},previous:${Buffer.alloc(32, 9).toString('base64')}`;

/** An app token for `userId` (HS256, as the app's auth service issues them). */
export async function appToken(userId: string, secret = APP_JWT_SECRET, expiresIn = '1h'): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
