import fc from 'fast-check';
import { z } from 'zod';
import { sql } from 'slonik';
import { eventually } from './support/eventually';
import { expectClearRefusal, hostileBodies } from './support/hostile-input';
import { fixtureText, hmacSign, postWebhook } from './support/signing';
import { startTestSystem, type TestSystem } from './support/system';
import { uniqueConversationId, retarget } from './support/conversations';

/**
 * Every endpoint that takes a body, with how a legitimate caller authenticates. A new endpoint adds a row;
 * the properties below then hold for it too.
 */
interface Endpoint {
  name: string;
  method: 'POST' | 'PUT';
  path: string;
  validExample: string;
  /** Headers a legitimate caller would send for these exact bytes. */
  authenticate(body: Buffer): Promise<Record<string, string>> | Record<string, string>;
}

const SPEC_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const ENDPOINTS: Endpoint[] = [
  {
    name: 'Freshchat webhook',
    method: 'POST',
    path: '/webhooks/freshchat',
    validExample: fixtureText('spec-message_create.json'),
    authenticate: (body) => ({ 'x-freshchat-signature': hmacSign(body) }),
  },
];
const BODY_LIMIT_BYTES = 1024 * 1024;

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
});
afterAll(() => system?.stop());

async function send(endpoint: Endpoint, body: Buffer, headers: Record<string, string>) {
  const response = await fetch(system.baseUrl + endpoint.path, {
    method: endpoint.method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json().catch(() => null)) as { status?: string } | null };
}

const workflowsOnOurQueue = async (): Promise<number> => {
  let n = 0;
  for await (const _ of system.client.workflow.list({ query: `TaskQueue = "${system.config.TEMPORAL_TASK_QUEUE}"` })) n++;
  return n;
};
const incidenceCount = () => system.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM incidences`);

describe.each(ENDPOINTS)('$name refuses bad input clearly', (endpoint) => {
  const bodies = hostileBodies(endpoint.validExample, BODY_LIMIT_BYTES);

  test('hostile bodies from a legitimate caller get a 4xx with a JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const { status, json } = await send(endpoint, body, await endpoint.authenticate(body));
        if (status === 200 && json?.status === 'ignored') return; // a well-formed webhook with an action we do not handle
        expectClearRefusal(status, json);
      }),
      { numRuns: 150 },
    );
  });

  test('forged or missing credentials are refused, whatever the body', async () => {
    const credentials = fc.option(fc.string({ maxLength: 400 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodies, fc.constant(Buffer.from(endpoint.validExample))), credentials, async (body, forged) => {
        const honest = await endpoint.authenticate(Buffer.from('another body'));
        const headers = Object.fromEntries(Object.keys(honest).map((k) => [k, forged ?? ''])) as Record<string, string>;
        const { status, json } = await send(endpoint, body, forged === undefined ? {} : headers);
        expect([401, 403, 413]).toContain(status);
        expectClearRefusal(status, json);
      }),
      { numRuns: 100 },
    );
  });

  test('a valid request signed for other bytes (a replayed signature) is refused', async () => {
    const valid = Buffer.from(endpoint.validExample);
    await fc.assert(
      fc.asyncProperty(fc.nat(valid.length - 1), async (at) => {
        const altered = Buffer.from(valid);
        altered[at] = altered[at] === 0x20 ? 0x09 : 0x20;
        const { status } = await send(endpoint, altered, await endpoint.authenticate(valid));
        expect(status).toBe(401);
      }),
      { numRuns: 50 },
    );
  });
});

test('after all of that nothing forged reached PostgreSQL or a workflow, and the server still serves', async () => {
  expect(await incidenceCount()).toBe(0);
  expect(await workflowsOnOurQueue()).toBe(0);
  expect((await fetch(`${system.baseUrl}/health`)).status).toBe(200);

  // The control: one honest webhook does reach a workflow, so the zero above could have failed.
  const id = uniqueConversationId();
  const honest = retarget(fixtureText('spec-message_create.json'), { [SPEC_ID]: id });
  expect((await postWebhook(system.baseUrl, honest)).status).toBe(200);
  await eventually(async () => expect(await workflowsOnOurQueue()).toBe(1));
});
