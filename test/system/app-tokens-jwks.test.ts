import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { APP_JWT_SECRET, appToken } from '../support/signing';
import { startTestSystem, withApiBeside, type TestSystem } from '../support/system';

/**
 * App tokens from an identity service (Firebase, Auth0, Cognito sign RS256 or ES256 and publish their keys as a
 * JWKS): a real HTTP server publishes the keys, the API fetches them, and the same age, audience and issuer rules
 * apply as to the shared-secret tokens, which keep working beside them.
 */

const AUDIENCE = 'catering-app-prod';
const ISSUER = 'https://securetoken.example.in/catering-app-prod';
const USER = 'usr_jwks';
const WRITER = 'usr_jwks_writer';
let system: TestSystem;
let jwks: Server;
let jwksFetches = 0;
const keys: Record<'RS256' | 'ES256', { privateKey: CryptoKey; kid: string }> = {} as never;
const unpublished: Record<string, CryptoKey> = {};

beforeAll(async () => {
  const published: object[] = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true });
    keys[alg] = { privateKey: pair.privateKey, kid: `key-${alg}` };
    published.push({ ...(await exportJWK(pair.publicKey)), kid: `key-${alg}`, alg, use: 'sig' });
    unpublished[alg] = (await generateKeyPair(alg)).privateKey;
  }
  jwks = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  system = await startTestSystem(
    {
      APP_JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      APP_JWT_AUDIENCE: AUDIENCE,
      APP_JWT_ISSUER: ISSUER,
      APP_JWT_MAX_AGE: '1h',
    },
    { worker: false },
  );
});
afterAll(async () => {
  await system?.stop();
  await new Promise((r) => jwks?.close(r));
});

const now = () => Math.floor(Date.now() / 1000);
interface Claims {
  alg?: 'RS256' | 'ES256';
  key?: CryptoKey;
  kid?: string;
  iat?: number;
  exp?: number;
  aud?: string;
  iss?: string;
  sub?: string;
}
const token = ({
  alg = 'RS256',
  key,
  kid,
  iat = now(),
  exp = now() + 600,
  aud = AUDIENCE,
  iss = ISSUER,
  sub = USER,
}: Claims) =>
  new SignJWT({})
    .setProtectedHeader({ alg, kid: kid ?? keys[alg].kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setAudience(aud)
    .setIssuer(iss)
    .sign(key ?? keys[alg].privateKey);

/** 404 (no context yet) means the token was accepted; 401 that it was refused. */
const statusWith = async (jwt: string, baseUrl = system.baseUrl) =>
  (await fetch(`${baseUrl}/api/v1/context/${USER}`, { headers: { authorization: `Bearer ${jwt}` } })).status;

test('RS256 and ES256 tokens signed with a published key are accepted, and the user acts as itself', async () => {
  expect(await statusWith(await token({ alg: 'RS256' }))).toBe(404);
  expect(await statusWith(await token({ alg: 'ES256' }))).toBe(404);
  const write = await fetch(`${system.baseUrl}/api/v1/context/${WRITER}/screen`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await token({ alg: 'ES256', sub: WRITER })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ screen_name: 'menu' }),
  });
  expect(write.status).toBe(200);
  expect(
    (
      await fetch(`${system.baseUrl}/api/v1/context/usr_someone_else`, {
        headers: { authorization: `Bearer ${await token({})}` },
      })
    ).status,
  ).toBe(403);
});

test('the keys are fetched once and cached, not per request', async () => {
  const before = jwksFetches;
  for (let i = 0; i < 5; i++) expect(await statusWith(await token({}))).toBe(404);
  expect(jwksFetches - before).toBe(0);
});

test('a key the identity service did not publish, or a forged kid, is refused', async () => {
  expect(await statusWith(await token({ alg: 'RS256', key: unpublished.RS256 }))).toBe(401);
  expect(await statusWith(await token({ alg: 'ES256', key: unpublished.ES256 }))).toBe(401);
  expect(await statusWith(await token({ alg: 'RS256', key: unpublished.RS256, kid: 'unknown-key' }))).toBe(401);
});

test('the same age, audience and issuer rules as for shared-secret tokens', async () => {
  expect(await statusWith(await token({ iat: now() - 7200, exp: now() + 600 }))).toBe(401);
  expect(await statusWith(await token({ exp: now() + 86_400 }))).toBe(401);
  expect(await statusWith(await token({ exp: now() - 120 }))).toBe(401);
  expect(await statusWith(await token({ aud: 'another-app' }))).toBe(401);
  expect(await statusWith(await token({ iss: 'https://attacker.example' }))).toBe(401);
  expect(await statusWith(await token({ sub: '' }))).toBe(401);
});

test('shared-secret (HS256) tokens keep working beside the identity service', async () => {
  const shared = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(USER)
    .setIssuedAt()
    .setExpirationTime('10m')
    .setAudience(AUDIENCE)
    .setIssuer(ISSUER)
    .sign(new TextEncoder().encode(APP_JWT_SECRET));
  expect(await statusWith(shared)).toBe(404);
  // An HS256 token is never checked against the identity service's keys, nor an RS256 one against the secret.
  expect(await statusWith(await appToken(USER))).toBe(401); // no audience or issuer
});

test('an identity service that cannot be reached is a 503 to retry, not a refused token', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await withApiBeside(system, { APP_JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` }, async (baseUrl) => {
    const refused = await fetch(`${baseUrl}/api/v1/context/${USER}`, {
      headers: { authorization: `Bearer ${await token({})}` },
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'token_keys_unavailable' });
  });
});
