import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './support/browser';
import { PEOPLE, signIn, signInAs, startSignInSystem, type SignInSystem } from './support/sign-in';

let signInSystem: SignInSystem;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  signInSystem = await startSignInSystem({}, { worker: false });
  baseUrl = signInSystem.system.baseUrl;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await signInSystem?.stop();
});
beforeEach(async () => {
  context = await browser.newContext();
});
afterEach(async () => context?.close());

const sessionCookie = async () => (await context.cookies(baseUrl)).find((c) => c.name === 'slo_session');

test('nobody signed in: a browser is sent to the sign-in page with its way back; a script gets 401 JSON', async () => {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/dead-letters`);
  expect(new URL(page.url()).pathname).toBe('/signin');
  expect(new URL(page.url()).searchParams.get('next')).toBe('/dead-letters');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');

  const res = await fetch(`${baseUrl}/dead-letters`, { redirect: 'manual' });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: 'unauthenticated' });
});

test('an admin signs in end to end against the provider and lands where they were going', async () => {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/dead-letters`);
  await signIn(page, baseUrl, PEOPLE.admin, '/dead-letters');
  expect(new URL(page.url()).pathname).toBe('/dead-letters');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Dead letters');

  const cookie = await sessionCookie();
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  // Not Secure here: development serves plain HTTP.
  expect(cookie!.secure).toBe(false);
});

test('a viewer is refused the dead letters page with a page that says so', async () => {
  const page = await context.newPage();
  await signInAs(page, baseUrl, 'viewer', '/dead-letters');
  const response = await page.goto(`${baseUrl}/dead-letters`);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not allowed');
  await expect(page.getByRole('alert').textContent()).resolves.toContain('needs the admin role');
  await expect(page.locator('main').textContent()).resolves.toContain(PEOPLE.viewer.email);
});
