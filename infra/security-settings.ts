import { createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Format } from './setting-formats';

/** A key that encrypts Temporal payloads: its id travels in the payload metadata, so keys can rotate. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const WEBHOOK_SCHEMES = ['rsa', 'hmac'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

/** Unset (or an empty list): the scheme whose key is set, see webhookSchemesOf. */
export const webhookSchemes = (): Format<z.ZodType<WebhookScheme[] | undefined, string>> => ({
  text: 'comma-separated: rsa, hmac',
  schema: z.string().transform((v, ctx) => {
    const schemes = list(v);
    const unknown = schemes.filter((s) => !(WEBHOOK_SCHEMES as readonly string[]).includes(s));
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `expected rsa, hmac or rsa,hmac, not ${unknown}` });
    return schemes.length > 0 ? (schemes as WebhookScheme[]) : undefined;
  }),
});

/** `id:base64key,id:base64key`: the first key encrypts, every key decrypts. */
export const payloadKeys = (): Format<z.ZodType<PayloadKey[], string>> => ({
  text: 'id:base64key pairs, comma-separated',
  schema: z.string().transform((v, ctx): PayloadKey[] => {
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
  }),
});

/** An RSA private key in PEM; one line with literal \n escapes (the usual env form) is accepted too. */
export const rsaPrivateKey = (): Format<z.ZodType<KeyObject | undefined, string>> => ({
  text: 'RSA private key (PEM)',
  schema: z.string().transform((v, ctx) => {
    try {
      const key = createPrivateKey(v.replace(/\\n/g, '\n'));
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'expected an RSA private key in PEM (PKCS#8 or PKCS#1)' });
    return undefined;
  }),
});

/** Asymmetric JWT algorithms an identity service signs with. */
export const jwtAlgorithms = (): Format<z.ZodType<string[], string>> => ({
  text: 'comma-separated: RS256, ES256, PS256, EdDSA…',
  schema: z.string().transform((v, ctx) => {
    const algorithms = list(v);
    const bad = algorithms.filter((a) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a));
    if (bad.length || !algorithms.length)
      ctx.addIssue({ code: 'custom', message: `expected asymmetric JWT algorithms like RS256,ES256, not ${bad}` });
    return algorithms;
  }),
});

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
