import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { duration } from './setting-formats';

/** A key that encrypts Temporal payloads: its id travels in the payload metadata, so keys can rotate. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v : undefined));

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const WEBHOOK_SCHEMES = ['rsa', 'hmac'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

const webhookSchemes = optionalText.transform((v, ctx) => {
  const schemes = list(v);
  const unknown = schemes.filter((s) => !(WEBHOOK_SCHEMES as readonly string[]).includes(s));
  if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `expected rsa, hmac or rsa,hmac, not ${unknown}` });
  return schemes.length > 0 ? (schemes as WebhookScheme[]) : undefined;
});

/** `id:base64key,id:base64key`: the first key encrypts, every key decrypts. */
const payloadKeys = optionalText.transform((v, ctx): PayloadKey[] => {
  const keys: PayloadKey[] = [];
  for (const entry of list(v)) {
    const [id, encoded] = [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)];
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'expected id:key pairs, each key 32 random bytes in base64' });
    } else if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id ${id} appears twice` });
    } else keys.push({ id, key });
  }
  return keys;
});

/** An RSA private key in PEM; one line with literal \n escapes (the usual env form) is accepted too. */
const rsaPrivateKey = optionalText.transform((v, ctx) => {
  if (!v) return undefined;
  try {
    const key = createPrivateKey(v.replace(/\\n/g, '\n'));
    if (key.asymmetricKeyType === 'rsa') return key;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected an RSA private key in PEM (PKCS#8 or PKCS#1)' });
  return undefined;
});

const perMinute = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** Security settings, merged into the configuration schema. */
export const securitySchema = z.object({
  // Which webhook signatures are accepted. Unset: RSA when the public key is set, else HMAC; never both by accident.
  FRESHCHAT_WEBHOOK_SCHEMES: webhookSchemes,
  APP_JWT_MAX_AGE: duration('24h', { zero: 'allowed' }),
  APP_JWT_CLOCK_SKEW: duration('30s', { zero: 'allowed' }),
  APP_JWT_AUDIENCE: optionalText,
  APP_JWT_ISSUER: optionalText,
  // App tokens signed by an identity service (Firebase, Auth0, Cognito): its JWKS address, and the algorithms taken.
  APP_JWT_JWKS_URL: optionalText.pipe(z.string().url().optional()),
  APP_JWT_ALGORITHMS: z
    .string()
    .default('RS256,ES256')
    .transform((v, ctx) => {
      const algorithms = list(v);
      const bad = algorithms.filter((a) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a));
      if (bad.length || !algorithms.length)
        ctx.addIssue({ code: 'custom', message: `expected asymmetric JWT algorithms like RS256,ES256, not ${bad}` });
      return algorithms;
    }),
  TEMPORAL_PAYLOAD_KEYS: payloadKeys,
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://127.0.0.1:8233,http://localhost:8233')
    .transform((v) => list(v)),
  FRESHCHAT_JWT_PRIVATE_KEY: rsaPrivateKey,
  FRESHCHAT_IDENTITY_TOKEN_TTL: duration('10m', { zero: 'allowed' }),
  RATE_LIMIT_FRICTION_SIGNALS: perMinute(60),
  RATE_LIMIT_CONTEXT_WRITES: perMinute(300),
});

export type SecuritySettings = z.infer<typeof securitySchema>;

/** The webhook schemes in force: the explicit list, else the one scheme whose key is configured (RSA first). */
export function webhookSchemesOf(config: {
  FRESHCHAT_WEBHOOK_SCHEMES?: WebhookScheme[];
  FRESHCHAT_WEBHOOK_PUBLIC_KEY?: string;
  FRESHCHAT_WEBHOOK_SECRET?: string;
}): WebhookScheme[] {
  if (config.FRESHCHAT_WEBHOOK_SCHEMES) return config.FRESHCHAT_WEBHOOK_SCHEMES;
  if (config.FRESHCHAT_WEBHOOK_PUBLIC_KEY) return ['rsa'];
  if (config.FRESHCHAT_WEBHOOK_SECRET) return ['hmac'];
  return [];
}
