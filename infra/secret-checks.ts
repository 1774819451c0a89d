import { webhookSchemesOf, type PayloadKey, type WebhookScheme } from './security-settings';

/** Shortest secret accepted outside development and test: HS256 and HMAC keys below this are brute-forceable. */
export const MIN_SECRET_BYTES = 32;

export interface SecretSources {
  NODE_ENV: string;
  FRESHCHAT_WEBHOOK_SCHEMES?: WebhookScheme[];
  TEMPORAL_PAYLOAD_KEYS: PayloadKey[];
  APP_JWT_JWKS_URL?: string;
  APP_JWT_SECRET?: string;
  ADMIN_API_TOKEN?: string;
  ORDERS_WEBHOOK_SECRET?: string;
  FRESHCHAT_WEBHOOK_SECRET?: string;
  FRESHCHAT_WEBHOOK_PUBLIC_KEY?: string;
  OUTBOUND_EVENTS_URL?: string;
  OUTBOUND_EVENTS_SECRET?: string;
  SESSION_SECRET?: string;
  CODEC_TOKEN?: string;
  OIDC_ISSUER_URL?: string;
  OIDC_CLIENT_ID?: string;
}

/** Development and test may run on generated or example secrets; every other environment may not. */
export const secretsRelaxed = (nodeEnv: string): boolean => nodeEnv === 'development' || nodeEnv === 'test';

function secretProblem(name: string, value: string | undefined): string | undefined {
  if (!value) return `${name}: missing (generate one with: openssl rand -hex 32)`;
  if (value.startsWith('dev-only-')) return `${name}: a development value; set a secret of your own`;
  if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) return `${name}: shorter than ${MIN_SECRET_BYTES} bytes`;
  return undefined;
}

/**
 * Every problem with the configured secrets, each naming its variable. A listed webhook scheme must have its key
 * everywhere; outside development and test, every secret must be present, not a development value, and long enough.
 */
export function secretProblems(config: SecretSources): string[] {
  const schemes = webhookSchemesOf(config);
  const problems: string[] = [];
  if (schemes.includes('rsa') && !config.FRESHCHAT_WEBHOOK_PUBLIC_KEY) {
    problems.push('FRESHCHAT_WEBHOOK_PUBLIC_KEY: missing, but FRESHCHAT_WEBHOOK_SCHEMES lists rsa');
  }
  if (schemes.includes('hmac') && !config.FRESHCHAT_WEBHOOK_SECRET) {
    problems.push('FRESHCHAT_WEBHOOK_SECRET: missing, but FRESHCHAT_WEBHOOK_SCHEMES lists hmac');
  }
  if (config.OIDC_ISSUER_URL && !config.OIDC_CLIENT_ID) {
    problems.push('OIDC_CLIENT_ID: missing, but OIDC_ISSUER_URL is set (the client registered at the provider)');
  }
  if (secretsRelaxed(config.NODE_ENV)) return problems;

  const secrets: Array<[string, string | undefined]> = [
    // App tokens verified through an identity service's JWKS need no shared secret; one that is set must be strong.
    ...(config.APP_JWT_JWKS_URL && !config.APP_JWT_SECRET
      ? []
      : [['APP_JWT_SECRET', config.APP_JWT_SECRET] as [string, string | undefined]]),
    ['ADMIN_API_TOKEN', config.ADMIN_API_TOKEN],
    ['ORDERS_WEBHOOK_SECRET', config.ORDERS_WEBHOOK_SECRET],
    // Signs the session cookie of everyone signed in to the pages.
    ['SESSION_SECRET', config.SESSION_SECRET?.split(',')[0]?.trim()],
  ];
  if (config.CODEC_TOKEN) secrets.push(['CODEC_TOKEN', config.CODEC_TOKEN]);
  if (schemes.includes('hmac')) secrets.push(['FRESHCHAT_WEBHOOK_SECRET', config.FRESHCHAT_WEBHOOK_SECRET]);
  // Outbound events are signed with it: a receiver trusts whatever carries a valid signature.
  if (config.OUTBOUND_EVENTS_URL) secrets.push(['OUTBOUND_EVENTS_SECRET', config.OUTBOUND_EVENTS_SECRET]);
  for (const [name, value] of secrets) {
    const problem = secretProblem(name, value);
    if (problem && !problems.some((p) => p.startsWith(`${name}:`))) problems.push(problem);
  }
  if (config.TEMPORAL_PAYLOAD_KEYS.length === 0) {
    problems.push('TEMPORAL_PAYLOAD_KEYS: missing; workflow histories would hold personal data in cleartext');
  }
  if (schemes.length === 0) problems.push('FRESHCHAT_WEBHOOK_SCHEMES: no webhook signature scheme is configured');
  return problems;
}
