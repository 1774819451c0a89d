import type { Browser, Page } from 'playwright-core';
import { createSignInLink } from '../../api/people/sign-in-records';
import { launchChromium } from '../support/browser';
import { startTestSystem, withApiBeside, type TestSystem } from '../support/system';

// Short lifetimes, each tested apart from the other: a session of the system ends after 4 s unused and outlives the
// test when used; one of the API beside it ends 5 s after sign-in whatever its use (its idle timeout no shorter).
const IDLE_MS = 4000;
const LONG_MS = 120_000;
const MAX_AGE_MS = 5000;

let system: TestSystem;
let browser: Browser;
beforeAll(async () => {
  system = await startTestSystem(
    { SESSION_IDLE_TIMEOUT: `${IDLE_MS}ms`, SESSION_MAX_AGE: `${LONG_MS}ms` },
    { worker: false },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Visits the dead letters page: whether the session still let the person in, and when the visit began and ended. */
async function visit(page: Page, baseUrl: string) {
  const begin = Date.now();
  await page.goto(`${baseUrl}/dead-letters`);
  return { begin, end: Date.now(), signedIn: new URL(page.url()).pathname === '/dead-letters' };
}

async function signedInPage(baseUrl: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const people = { ...system.settings.people, publicBaseUrl: baseUrl };
  await page.goto(await createSignInLink(system.redis, system.config.REDIS_KEY_PREFIX, people));
  expect((await page.goto(`${baseUrl}/dead-letters`))?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/dead-letters');
  return page;
}

const endedAndSentToSignIn = (page: Page) => {
  const url = new URL(page.url());
  expect(url.pathname).toBe('/signin');
  expect(url.searchParams.get('next')).toBe('/dead-letters');
  expect(url.searchParams.get('problem')).toBe('expired');
};

// The server reads the session somewhere within each visit: two reads are at most (this visit's end − the previous
// visit's begin) apart, and at least (this visit's begin − the previous visit's end).
test('a session unused for the idle timeout ends; using it keeps it alive', async () => {
  const page = await signedInPage(system.baseUrl);
  const first = await visit(page, system.baseUrl);
  let previous = first;
  // Used every quarter of the idle timeout, over more than the idle timeout: each use renews it.
  while (previous.begin - first.end <= IDLE_MS) {
    await sleep(IDLE_MS / 4);
    const use = await visit(page, system.baseUrl);
    expect(use.end - previous.begin).toBeLessThan(IDLE_MS);
    expect(use.signedIn).toBe(true);
    previous = use;
  }
  await sleep(IDLE_MS + 300);
  const late = await visit(page, system.baseUrl);
  expect(late.begin - previous.end).toBeGreaterThan(IDLE_MS);
  endedAndSentToSignIn(page);
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Your session has ended');
  await page.context().close();
});

test('a session ends at its absolute expiry even while in use', async () => {
  const lifetimes = { SESSION_MAX_AGE: MAX_AGE_MS, SESSION_IDLE_TIMEOUT: MAX_AGE_MS };
  await withApiBeside(system, lifetimes, async (baseUrl) => {
    const started = Date.now();
    const page = await signedInPage(baseUrl);
    let previous = await visit(page, baseUrl);
    for (;;) {
      await sleep(200);
      const use = await visit(page, baseUrl);
      if (!use.signedIn) {
        // Used moments before (less than the idle timeout between the two reads), so not idle; and not before its
        // maximum age.
        expect(use.end - previous.begin).toBeLessThan(MAX_AGE_MS);
        expect(use.end - started).toBeGreaterThanOrEqual(MAX_AGE_MS);
        break;
      }
      previous = use;
      if (use.end - started > MAX_AGE_MS + 10_000) throw new Error('the session outlived its maximum age');
    }
    endedAndSentToSignIn(page);
    await page.context().close();
  });
});
