import type { Browser, Page } from 'playwright-core';
import { createSignInLink } from '../../api/people/sign-in-records';
import { launchChromium } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

// Short lifetimes: a session ends after 2 s unused, and 5 s after sign-in whatever its use.
const IDLE_MS = 2000;
const MAX_AGE_MS = 5000;

let system: TestSystem;
let browser: Browser;
beforeAll(async () => {
  system = await startTestSystem(
    { SESSION_IDLE_TIMEOUT: `${IDLE_MS}ms`, SESSION_MAX_AGE: `${MAX_AGE_MS}ms` },
    { worker: false },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signedInPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(await createSignInLink(system.redis, system.config.REDIS_KEY_PREFIX, system.settings.people));
  expect((await page.goto(`${system.baseUrl}/dead-letters`))?.status()).toBe(200);
  return page;
}

const endedAndSentToSignIn = (page: Page) => {
  const url = new URL(page.url());
  expect(url.pathname).toBe('/signin');
  expect(url.searchParams.get('next')).toBe('/dead-letters');
  expect(url.searchParams.get('problem')).toBe('expired');
};

test('a session unused for the idle timeout ends; using it keeps it alive', async () => {
  const page = await signedInPage();
  for (let i = 0; i < 3; i++) {
    await sleep(IDLE_MS / 2);
    expect((await page.goto(`${system.baseUrl}/dead-letters`))?.status()).toBe(200);
  }
  await sleep(IDLE_MS + 300);
  await page.goto(`${system.baseUrl}/dead-letters`);
  endedAndSentToSignIn(page);
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Your session has ended');
  await page.context().close();
});

test('a session ends at its absolute expiry even while in use', async () => {
  const started = Date.now();
  const page = await signedInPage();
  let previousEnd = Date.now();
  for (;;) {
    const begin = Date.now();
    await page.goto(`${system.baseUrl}/dead-letters`);
    const end = Date.now();
    if (new URL(page.url()).pathname !== '/dead-letters') {
      // Used moments before, so not idle; and not before its maximum age.
      expect(begin - previousEnd).toBeLessThan(IDLE_MS);
      expect(end - started).toBeGreaterThanOrEqual(MAX_AGE_MS);
      break;
    }
    previousEnd = end;
    if (end - started > MAX_AGE_MS + 10_000) throw new Error('the session outlived its maximum age');
    await sleep(200);
  }
  endedAndSentToSignIn(page);
  await page.context().close();
});
