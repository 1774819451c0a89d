import { createServer, type AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDevServer } from '../../bench/support/dev-server';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { ENCRYPTED_ENCODING } from '../../infra/payload-codec';
import { launchChromium } from '../support/browser';
import { retarget, uniqueConversationId } from '../support/conversations';
import { PEOPLE, signIn, startSignInSystem, type SignInSystem } from '../support/sign-in';
import { fixtureText, postWebhook } from '../support/signing';

const FIXTURE_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const MESSAGE = 'Please call me about the mehendi menu for 180 guests';

/** How the UI shows a payload it could not decode: its metadata's encoding, in base64. */
const SEALED = Buffer.from(ENCRYPTED_ENCODING).toString('base64');

let devServer: TestWorkflowEnvironment;
let signInSystem: SignInSystem;
let browser: Browser;
let uiOrigin: string;
let baseUrl: string;
const conversationId = uniqueConversationId();

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  // A dev server of this test's own, with the Temporal UI (the suite's shared one runs headless).
  const uiPort = await freePort();
  uiOrigin = `http://127.0.0.1:${uiPort}`;
  devServer = await startDevServer({ uiPort });
  signInSystem = await startSignInSystem(
    { TEMPORAL_ADDRESS: devServer.address, CODEC_CORS_ORIGINS: uiOrigin },
    { worker: false },
  );
  baseUrl = signInSystem.system.baseUrl;
  const body = JSON.parse(retarget(fixtureText('simplified-message_create.json'), { [FIXTURE_ID]: conversationId }));
  body.data.message.text = MESSAGE;
  expect((await postWebhook(baseUrl, JSON.stringify(body))).status).toBe(200);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await signInSystem?.stop();
  await devServer?.teardown();
});

/**
 * A browser whose Temporal UI uses this API's codec server with cross-origin credentials: the UI's own codec
 * settings (the data encoder dialog stores them in the UI's local storage).
 */
async function browserWithUiCodec(): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(
    ({ origin, endpoint }) => {
      if (location.origin !== origin) return;
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', 'true');
      localStorage.setItem('passAccessToken', 'false');
      localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    },
    { origin: uiOrigin, endpoint: `${baseUrl}/codec` },
  );
  return context;
}

/** The conversation's page in the Temporal UI, its signal opened: the page's text and the codec server's answers. */
async function conversationInUi(page: Page): Promise<{ text: string; codecStatuses: number[] }> {
  const codecStatuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(`${baseUrl}/codec/decode`) && r.request().method() === 'POST')
      codecStatuses.push(r.status());
  });
  const workflowId = conversationWorkflowId(conversationId);
  await page.goto(`${uiOrigin}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await page.getByText('Workflow Execution Signaled').first().click();
  await page.getByText('Identity', { exact: true }).first().waitFor();
  // The signal's input, once shown: decoded, or still sealed.
  await page
    .getByText(new RegExp(`${MESSAGE}|${SEALED}`))
    .first()
    .waitFor();
  return { text: await page.locator('body').innerText(), codecStatuses };
}

test('an admin signed in here reads the conversation decoded in the Temporal UI, with no second credential', async () => {
  const context = await browserWithUiCodec();
  const page = await context.newPage();
  await signIn(page, baseUrl, PEOPLE.admin, '/codec/decode');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payload codec');

  const { text, codecStatuses } = await conversationInUi(page);
  expect(codecStatuses.length).toBeGreaterThan(0);
  expect(codecStatuses.every((s) => s === 200)).toBe(true);
  expect(text).toContain(`"text": "${MESSAGE}"`);
  expect(text).toContain(`"conversationId": "${conversationId}"`);
  await context.close();
});

test.each([
  ['a viewer', 403],
  ['nobody signed in', 401],
] as const)('for %s the Temporal UI shows ciphertext only', async (who, status) => {
  const context = await browserWithUiCodec();
  const page = await context.newPage();
  if (who === 'a viewer') await signIn(page, baseUrl, PEOPLE.viewer, '/codec/decode');

  const { text, codecStatuses } = await conversationInUi(page);
  expect(codecStatuses.length).toBeGreaterThan(0);
  expect(codecStatuses.every((s) => s === status)).toBe(true);
  expect(text).not.toContain(MESSAGE);
  expect(text).not.toContain('"conversationId"');
  // The payload as Temporal stores it: encrypted data, its encoding and key id in base64.
  expect(text).toContain(SEALED);
  await context.close();
});
