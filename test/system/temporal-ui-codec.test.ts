import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDevServer } from '../../bench/support/dev-server';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { SESSION_COOKIE } from '../../api/people/guard';
import { ENCRYPTED_ENCODING } from '../../infra/payload-codec';
import { launchChromium } from '../support/browser';
import { retarget, uniqueConversationId } from '../support/conversations';
import { loginAtProvider, PEOPLE, signIn, startSignInSystem, type SignInSystem } from '../support/sign-in';
import { startTemporalUi, type TemporalUi } from '../support/temporal-ui';
import { fixtureText, postWebhook } from '../support/signing';

const FIXTURE_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const MESSAGE = 'Please call me about the mehendi menu for 180 guests';

/** How the UI shows a payload it could not decode: its metadata's encoding, in base64. */
const SEALED = Buffer.from(ENCRYPTED_ENCODING).toString('base64');

let devServer: TestWorkflowEnvironment;
let signInSystem: SignInSystem;
let browser: Browser;
let uiOrigin: string;
/** The UI served by its own server, signing people in with OIDC (the dev server's UI has no sign-in). */
let ssoUiPort: number;
let baseUrl: string;
let tls: Server | undefined;
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
  ssoUiPort = await freePort();
  devServer = await startDevServer({ uiPort });
  signInSystem = await startSignInSystem(
    { TEMPORAL_ADDRESS: devServer.address, CODEC_CORS_ORIGINS: `${uiOrigin},http://127.0.0.1:${ssoUiPort}` },
    { worker: false },
  );
  baseUrl = signInSystem.system.baseUrl;
  const body = JSON.parse(retarget(fixtureText('simplified-message_create.json'), { [FIXTURE_ID]: conversationId }));
  body.data.message.text = MESSAGE;
  expect((await postWebhook(baseUrl, JSON.stringify(body))).status).toBe(200);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  tls?.closeAllConnections();
  await new Promise((r) => (tls ? tls.close(r) : r(undefined)));
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

/**
 * The conversation's page in the Temporal UI at `origin`, its signal opened: the page's text and the answers of
 * the codec server at `codec`.
 */
async function conversationInUi(
  page: Page,
  origin = uiOrigin,
  codec = baseUrl,
): Promise<{ text: string; codecStatuses: number[] }> {
  const codecStatuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(`${codec}/codec/decode`) && r.request().method() === 'POST') codecStatuses.push(r.status());
  });
  const workflowId = conversationWorkflowId(conversationId);
  await page.goto(`${origin}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
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

/**
 * The API behind HTTPS (a self-signed certificate made with openssl for this run): the Temporal UI passes its access
 * token to an https codec endpoint only.
 */
async function httpsInFront(target: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'codec-tls-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1'].concat([
      '-subj',
      '/CN=127.0.0.1',
    ]),
    { cwd: dir, stdio: 'ignore' },
  );
  const upstream = new URL(target);
  tls = createHttpsServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (req, res) => {
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    },
  );
  await new Promise<void>((resolve) => tls!.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
}

/** The conversation's first signal input as stored in Temporal: encrypted, in the codec server's JSON form. */
async function sealedSignalInput(): Promise<{ metadata: Record<string, string>; data: string }[]> {
  const handle = devServer.client.workflow.getHandle(conversationWorkflowId(conversationId));
  const history = await handle.fetchHistory();
  const signaled = history.events?.find((e) => e.workflowExecutionSignaledEventAttributes);
  const payloads = signaled?.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [];
  const b64 = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('base64');
  return payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p.data),
  }));
}

/**
 * The POST the Temporal UI makes with "pass access token" on: from the UI's origin, through CORS, with a token as
 * Bearer and an ID token in Authorization-Extras.
 */
async function decodeAsUi(accessToken: string): Promise<{ status: number; text: string }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(uiOrigin);
  const answer = await page.evaluate(
    ({ endpoint, token, payloads }) =>
      fetch(`${endpoint}/codec/decode`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Namespace': 'default',
          Authorization: `Bearer ${token}`,
          'Authorization-Extras': 'the-ui-id-token',
        },
        body: JSON.stringify({ payloads }),
      }).then(async (r) => ({ status: r.status, text: await r.text() })),
    { endpoint: codecOrigin, token: accessToken, payloads: await sealedSignalInput() },
  );
  await context.close();
  return answer;
}

let codecOrigin: string;
let ssoUi: TemporalUi | undefined;

describe("the Temporal UI's own OIDC sign-in: the UI passes its access token to the codec server", () => {
  beforeAll(async () => {
    codecOrigin = await httpsInFront(baseUrl);
    const uiClient = signInSystem.provider.allowTemporalUi(`http://127.0.0.1:${ssoUiPort}/auth/sso/callback`);
    ssoUi = await startTemporalUi({
      temporalAddress: devServer.address,
      port: ssoUiPort,
      oidc: { issuer: signInSystem.provider.issuer, ...uiClient },
      codecEndpoint: `${codecOrigin}/codec`,
    });
  }, 120_000);
  afterAll(() => ssoUi?.stop());

  /**
   * A fresh browser signed in to the UI alone (not here), through the UI's "Continue to SSO" and the provider; the
   * page the UI lands on after its sign-in.
   */
  async function signedInToUi(account: (typeof PEOPLE)[keyof typeof PEOPLE]): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${ssoUi!.origin}/namespaces/default/workflows`);
    await page.getByText('Continue to SSO').click();
    await loginAtProvider(page, account, ssoUi!.origin);
    // The UI's sign-in ends once the page it returns to has stored its signed-in user; a page opened before that
    // makes its first calls with no token, and the UI answers with its sign-in page ("unauthorized").
    await page.waitForURL((url) => url.pathname === '/namespaces/default/workflows');
    await page.waitForFunction(() => localStorage.getItem('AuthUser') !== null);
    return page;
  }

  test("an admin signed in to the UI reads the conversation's message decoded", async () => {
    const page = await signedInToUi(PEOPLE.admin);
    const { text, codecStatuses } = await conversationInUi(page, ssoUi!.origin, codecOrigin);
    expect(codecStatuses.length).toBeGreaterThan(0);
    expect(codecStatuses.every((s) => s === 200)).toBe(true);
    expect(text).toContain(`"text": "${MESSAGE}"`);
    expect(text).toContain(`"conversationId": "${conversationId}"`);
    // Signed in to the UI only: this API never gave the browser a session.
    expect((await page.context().cookies(baseUrl)).map((c) => c.name)).not.toContain(SESSION_COOKIE);
    await page.context().close();
  });

  test('a viewer signed in to the UI sees ciphertext only (the codec server answers 403)', async () => {
    const page = await signedInToUi(PEOPLE.viewer);
    const { text, codecStatuses } = await conversationInUi(page, ssoUi!.origin, codecOrigin);
    expect(codecStatuses.length).toBeGreaterThan(0);
    expect(codecStatuses.every((s) => s === 403)).toBe(true);
    expect(text).not.toContain(MESSAGE);
    expect(text).not.toContain('"conversationId"');
    expect(text).toContain(SEALED);
    await page.context().close();
  });

  test('a token the provider never issued is refused and decodes nothing', async () => {
    const { status, text } = await decodeAsUi('not-a-real-token');
    expect(status).toBe(401);
    expect(text).not.toContain(Buffer.from(MESSAGE).toString('base64').slice(0, 20));
  });

  test('the exact POST the UI makes, with no token at all: 401', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(uiOrigin);
    const status = await page.evaluate(
      (endpoint) =>
        fetch(`${endpoint}/codec/decode`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' },
          body: JSON.stringify({ payloads: [] }),
        }).then((r) => r.status),
      codecOrigin,
    );
    expect(status).toBe(401);
    await context.close();
  });
});
