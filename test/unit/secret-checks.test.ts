import { ConfigError, loadConfig } from '../../infra/config';
import { createWebhookVerifier } from '../../api/webhooks/signature';
import { settingsFrom } from '../../infra/settings';
import { HMAC_SECRET, RSA_PUBLIC_KEY, hmacSign, rsaSign } from '../support/signing';

const strong = (c: string) => c.repeat(40);
const KEYS = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const production = {
  NODE_ENV: 'production',
  APP_JWT_SECRET: strong('a'),
  ADMIN_API_TOKEN: strong('b'),
  ORDERS_WEBHOOK_SECRET: strong('c'),
  FRESHCHAT_WEBHOOK_PUBLIC_KEY: RSA_PUBLIC_KEY,
  TEMPORAL_PAYLOAD_KEYS: KEYS,
  SESSION_SECRET: strong('s'),
};
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

test('production starts with strong secrets of its own', () => {
  expect(problemsOf(production)).toEqual([]);
});

test("production refuses people's sessions without a strong signing secret, and a weak codec token", () => {
  const { SESSION_SECRET: _, ...withoutSessionSecret } = production;
  expect(problemsOf(withoutSessionSecret)).toEqual([expect.stringMatching(/^SESSION_SECRET: missing/)]);
  expect(problemsOf({ ...production, SESSION_SECRET: 'short' })).toEqual([
    expect.stringMatching(/^SESSION_SECRET: shorter than 32 bytes/),
  ]);
  // Rotation: the first key signs, so it is the one that must be strong.
  expect(problemsOf({ ...production, SESSION_SECRET: `${strong('n')},old` })).toEqual([]);
  expect(problemsOf({ ...production, CODEC_TOKEN: 'short' })).toEqual([
    expect.stringMatching(/^CODEC_TOKEN: shorter than 32 bytes/),
  ]);
});

test('a sign-in provider without a client id is refused in every environment', () => {
  expect(problemsOf({ OIDC_ISSUER_URL: 'https://accounts.example.com' })).toEqual([
    expect.stringMatching(/^OIDC_CLIENT_ID: missing, but OIDC_ISSUER_URL is set/),
  ]);
  expect(problemsOf({ OIDC_ISSUER_URL: 'https://accounts.example.com', OIDC_CLIENT_ID: 'slo' })).toEqual([]);
});

test('production refuses a short outbound-events signing secret, and takes a strong one', () => {
  const outbound = { ...production, OUTBOUND_EVENTS_URL: 'https://events.example.com/hook' };
  expect(problemsOf({ ...outbound, OUTBOUND_EVENTS_SECRET: 'short' })).toEqual([
    expect.stringMatching(/^OUTBOUND_EVENTS_SECRET: shorter than 32 bytes/),
  ]);
  expect(problemsOf({ ...outbound, OUTBOUND_EVENTS_SECRET: strong('d') })).toEqual([]);
});

test('production refuses a missing, development or short secret, naming each variable', () => {
  const problems = problemsOf({
    ...production,
    APP_JWT_SECRET: 'dev-only-app-jwt-secret-change-me',
    ADMIN_API_TOKEN: 'x',
    ORDERS_WEBHOOK_SECRET: '',
    TEMPORAL_PAYLOAD_KEYS: '',
  });
  expect(problems).toEqual([
    expect.stringMatching(/^APP_JWT_SECRET: a development value/),
    expect.stringMatching(/^ADMIN_API_TOKEN: shorter than 32 bytes/),
    expect.stringMatching(/^ORDERS_WEBHOOK_SECRET: missing/),
    expect.stringMatching(/^TEMPORAL_PAYLOAD_KEYS: missing/),
  ]);
  // Any environment other than development and test is held to the same rule.
  expect(problemsOf({ ...production, NODE_ENV: 'staging', ADMIN_API_TOKEN: 'short' })).toHaveLength(1);
});

test('the HMAC webhook secret is checked only when the HMAC scheme is in force', () => {
  expect(problemsOf({ ...production, FRESHCHAT_WEBHOOK_SECRET: 'dev-only-change-me' })).toEqual([]);
  expect(
    problemsOf({
      ...production,
      FRESHCHAT_WEBHOOK_SECRET: 'dev-only-change-me',
      FRESHCHAT_WEBHOOK_SCHEMES: 'rsa,hmac',
    }),
  ).toEqual([expect.stringMatching(/^FRESHCHAT_WEBHOOK_SECRET: a development value/)]);
});

test('development and test accept example secrets; a listed scheme without its key is refused everywhere', () => {
  expect(problemsOf({ APP_JWT_SECRET: 'dev-only-x', FRESHCHAT_WEBHOOK_SECRET: 'dev-only-y' })).toEqual([]);
  expect(problemsOf({ FRESHCHAT_WEBHOOK_SCHEMES: 'rsa' })).toEqual([
    expect.stringMatching(/^FRESHCHAT_WEBHOOK_PUBLIC_KEY: missing/),
  ]);
  expect(problemsOf({ FRESHCHAT_WEBHOOK_SCHEMES: 'md5' })[0]).toMatch(/^FRESHCHAT_WEBHOOK_SCHEMES:/);
});

test('payload keys must be id:key pairs of 32 bytes with distinct ids', () => {
  expect(problemsOf({ TEMPORAL_PAYLOAD_KEYS: 'k1:c2hvcnQ=' })[0]).toMatch(/^TEMPORAL_PAYLOAD_KEYS: .*32 random bytes/);
  expect(problemsOf({ TEMPORAL_PAYLOAD_KEYS: `${KEYS},${KEYS}` })[0]).toMatch(/appears twice/);
  const config = loadConfig({ TEMPORAL_PAYLOAD_KEYS: `${KEYS},k0:${Buffer.alloc(32, 2).toString('base64')}` });
  expect(config.TEMPORAL_PAYLOAD_KEYS.map((k) => k.id)).toEqual(['k1', 'k0']);
});

describe('webhook signature schemes', () => {
  const spec = '{"action":"message_create"}';
  const real = '{"action":"message_create","data":{"message":{}}}';
  const verifierFor = (env: Record<string, string>) => createWebhookVerifier(settingsFrom(loadConfig(env)).webhook);
  const both = { FRESHCHAT_WEBHOOK_SECRET: HMAC_SECRET, FRESHCHAT_WEBHOOK_PUBLIC_KEY: RSA_PUBLIC_KEY };

  test('with the RSA key configured and no explicit list, the HMAC door stays shut', () => {
    const verify = verifierFor(both);
    expect(verify(Buffer.from(real), rsaSign(real))).toBe(true);
    expect(verify(Buffer.from(spec), hmacSign(spec))).toBe(false);
  });

  test('each scheme opens only when listed', () => {
    expect(verifierFor({ ...both, FRESHCHAT_WEBHOOK_SCHEMES: 'rsa,hmac' })(Buffer.from(spec), hmacSign(spec))).toBe(
      true,
    );
    const hmacOnly = verifierFor({ ...both, FRESHCHAT_WEBHOOK_SCHEMES: 'hmac' });
    expect(hmacOnly(Buffer.from(spec), hmacSign(spec))).toBe(true);
    expect(hmacOnly(Buffer.from(real), rsaSign(real))).toBe(false);
  });
});
