import { SignJWT } from 'jose';
import { APP_JWT_SECRET } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const AUDIENCE = 'support-led-ordering';
const ISSUER = 'https://auth.example.in';
let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem(
    { APP_JWT_AUDIENCE: AUDIENCE, APP_JWT_ISSUER: ISSUER, APP_JWT_MAX_AGE: '1h', APP_JWT_CLOCK_SKEW: '30s' },
    { worker: false },
  );
});
afterAll(async () => system?.stop());

const now = () => Math.floor(Date.now() / 1000);
interface Claims {
  iat?: number;
  exp?: number;
  aud?: string;
  iss?: string;
}
const token = (claims: Claims) => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('usr_tokens');
  const { iat = now(), exp = now() + 600, aud = AUDIENCE, iss = ISSUER } = claims;
  if (iat !== -1) jwt.setIssuedAt(iat);
  if (aud) jwt.setAudience(aud);
  if (iss) jwt.setIssuer(iss);
  return jwt.setExpirationTime(exp).sign(new TextEncoder().encode(APP_JWT_SECRET));
};
/** 404 (no context yet) means the token was accepted; 401 that it was refused. */
const statusWith = async (claims: Claims) =>
  (
    await fetch(`${system.baseUrl}/api/v1/context/usr_tokens`, {
      headers: { authorization: `Bearer ${await token(claims)}` },
    })
  ).status;

test('a fresh token for this audience and issuer is accepted', async () => {
  expect(await statusWith({})).toBe(404);
});

test('a token older than the maximum age, or living longer than it, is refused whatever its exp', async () => {
  expect(await statusWith({ iat: now() - 7200, exp: now() + 600 })).toBe(401);
  expect(await statusWith({ exp: 4102444800 })).toBe(401); // 2100-01-01
  expect(await statusWith({ iat: -1 })).toBe(401);
});

test('audience and issuer are checked when configured', async () => {
  expect(await statusWith({ aud: 'another-service' })).toBe(401);
  expect(await statusWith({ aud: '' })).toBe(401);
  expect(await statusWith({ iss: 'https://evil.example' })).toBe(401);
});

test('clocks may disagree by the allowed skew, not more', async () => {
  expect(await statusWith({ iat: now() - 600, exp: now() - 10 })).toBe(404);
  expect(await statusWith({ iat: now() - 600, exp: now() - 120 })).toBe(401);
  expect(await statusWith({ iat: now() + 10 })).toBe(404);
  expect(await statusWith({ iat: now() + 300, exp: now() + 900 })).toBe(401);
});
