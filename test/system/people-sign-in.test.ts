import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { DASHBOARD_PATH, localPath } from '../../api/people/guard';
import { createSignInLink } from '../../api/people/sign-in-records';
import { launchChromium, seriousAxeViolations } from '../support/browser';

import { PEOPLE, signIn, signInAs, startSignInSystem, type SignInSystem } from '../support/sign-in';
import { withApiBeside } from '../support/system';

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

/** Replaces a form's CSRF token in the page, as a forged form would carry. */
const forge = (field: Locator) => field.evaluate((input) => ((input as unknown as { value: string }).value = 'forged'));

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

test("the codec server's browser address leads to sign-in (it answered 405, so no browser could sign in there)", async () => {
  const res = await fetch(`${baseUrl}/codec/decode`, { headers: { accept: 'text/html' }, redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/signin?next=%2Fcodec%2Fdecode');
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

test('a person the provider knows but no rule grants a role is refused sign-in, and gets no session', async () => {
  const page = await context.newPage();
  await signIn(page, baseUrl, PEOPLE.outsider, '/dead-letters');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('No access');
  await expect(page.getByRole('alert').textContent()).resolves.toContain(PEOPLE.outsider.email);
  expect(await sessionCookie()).toBeUndefined();
});

test("the provider's group claim grants the admin role", async () => {
  const page = await context.newPage();
  await signIn(page, baseUrl, PEOPLE.groupAdmin, '/dead-letters');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Dead letters');
});

test('sign-out ends the session on the server: the old cookie no longer opens anything', async () => {
  const page = await context.newPage();
  await signInAs(page, baseUrl, 'admin', '/dead-letters');
  const before = await context.cookies(baseUrl);
  expect(before.map((c) => c.name)).toContain('slo_session');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signin\?signed_out/);
  await expect(page.getByRole('status').textContent()).resolves.toBe('You are signed out.');
  expect(await sessionCookie()).toBeUndefined();

  // A copy of the signed cookie taken before sign-out, replayed in another browser.
  const thief = await browser.newContext();
  await thief.addCookies(before);
  const page2 = await thief.newPage();
  await page2.goto(`${baseUrl}/dead-letters`);
  expect(new URL(page2.url()).pathname).toBe('/signin');
  expect(new URL(page2.url()).searchParams.get('problem')).toBe('expired');
  await thief.close();
});

test('a form with a forged CSRF token, or none, is refused and changes nothing', async () => {
  const page = await context.newPage();
  await signInAs(page, baseUrl, 'admin', '/dead-letters');
  await page.goto(`${baseUrl}/signin?next=/dead-letters`); // already signed in: straight on
  expect(new URL(page.url()).pathname).toBe('/dead-letters');
  // The sign-out form carries the token; forge it in the page and submit.
  await forge(page.locator('form[action="/signout"] input[name="_csrf"]'));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/signout')),
    page.getByRole('button', { name: 'Sign out' }).click(),
  ]);
  expect(response.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Form refused');
  // Still signed in: the forged sign-out did nothing.
  expect((await page.goto(`${baseUrl}/dead-letters`))?.status()).toBe(200);

  const cookies = (await context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
  const noToken = await fetch(`${baseUrl}/dead-letters/replay`, {
    method: 'POST',
    headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    redirect: 'manual',
  });
  expect(noToken.status).toBe(403);
  expect(await noToken.json()).toMatchObject({ error: 'csrf_refused' });
});

test('a one-time sign-in link signs the local admin in once; the second use is refused', async () => {
  const { system } = signInSystem;
  const link = await createSignInLink(system.redis, system.config.REDIS_KEY_PREFIX, system.settings.people);
  expect(link.startsWith(`${baseUrl}/signin/link?token=`)).toBe(true);
  const page = await context.newPage();
  await page.goto(link);
  expect(new URL(page.url()).pathname).toBe(DASHBOARD_PATH);
  expect((await page.goto(`${baseUrl}/dead-letters`))?.status()).toBe(200);

  const other = await (await browser.newContext()).newPage();
  expect((await other.goto(link))?.status()).toBe(410);
  await expect(other.getByRole('alert').textContent()).resolves.toContain('already been used or has expired');
  await other.context().close();
});

test('a sign-in link never leads off the site: `next` pointing elsewhere lands on the dashboard', () => {
  expect(localPath('https://evil.example/')).toBe(DASHBOARD_PATH);
  expect(localPath('//evil.example/x')).toBe(DASHBOARD_PATH);
  expect(localPath('/\\evil.example')).toBe(DASHBOARD_PATH);
  expect(localPath('/incidences?state=open')).toBe('/incidences?state=open');
});

test('the sign-in, refused and form-refused pages have no serious or critical accessibility violations', async () => {
  const axeContext = await browser.newContext({ bypassCSP: true });
  try {
    const page = await axeContext.newPage();
    await page.goto(`${baseUrl}/signin?problem=expired`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await signInAs(page, baseUrl, 'viewer', '/dead-letters');
    expect((await page.goto(`${baseUrl}/dead-letters`))?.status()).toBe(403);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await forge(page.locator('input[name="_csrf"]'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Form refused');
    expect(await seriousAxeViolations(page)).toEqual([]);
  } finally {
    await axeContext.close();
  }
});

test('the signed-out, used-link, no-access, dead letters and codec pages have no serious or critical violations', async () => {
  const axeContext = await browser.newContext({ bypassCSP: true });
  try {
    const page = await axeContext.newPage();
    const checked: string[] = [];
    const check = async () => {
      checked.push(await page.getByRole('heading', { level: 1 }).innerText());
      expect(await seriousAxeViolations(page)).toEqual([]);
    };
    await page.goto(`${baseUrl}/signin?signed_out`);
    await check();
    expect((await page.goto(`${baseUrl}/signin/link?token=used`))?.status()).toBe(410);
    await check();
    await signIn(page, baseUrl, PEOPLE.outsider, '/overview');
    await check();
    await axeContext.clearCookies(); // the provider's session too: the next sign-in is another person
    await signInAs(page, baseUrl, 'admin', '/dead-letters');
    await check();
    expect((await page.goto(`${baseUrl}/codec/decode`))?.status()).toBe(200);
    await check();
    expect(checked).toEqual(['Sign in', 'Sign-in failed', 'No access', 'Dead letters', 'Payload codec']);
  } finally {
    await axeContext.close();
  }
});

test('outside development the session cookie is Secure (behind a TLS proxy that says so)', async () => {
  const { system } = signInSystem;
  await withApiBeside(system, { NODE_ENV: 'production' }, async (url) => {
    const link = await createSignInLink(system.redis, system.config.REDIS_KEY_PREFIX, system.settings.people);
    const res = await fetch(`${url}/signin/link${new URL(link).search}`, {
      headers: { 'x-forwarded-proto': 'https' },
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('slo_session='))!;
    expect(cookie).toMatch(/; secure/i);
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; samesite=lax/i);
  });
});
