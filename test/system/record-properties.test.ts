import fc from 'fast-check';
import { normaliseWebhook } from '../../domain/conversation/freshchat-payload';
import { incidenceOf, retarget, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { fixtureText, postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

// Random webhooks that pass validation (any strings, any numbers, any property values) through the whole system:
// every conversation gets its row, and a later valid resolution is still applied. Before, such values could wedge a
// conversation for good.
const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const WHITEFIELD_ID = '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82';
const CONTEXT_NAMES = ['user_id', 'current_screen', 'app_screen', 'cart_value', 'guest_count', 'event_type'] as const;
const NAMES = [...CONTEXT_NAMES, 'friction_score', 'order_id', 'cf_event_type', 'cf_cart_value', 'anything'];

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', ' ', '9'.repeat(400), '1e400', '-0', 'NaN', '١٢٣'),
);
const anyNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(1e10, 2 ** 31, 999.996, -1e300),
);
const anyValue = fc.oneof(anyText, anyNumber, fc.boolean(), fc.constant(null));
const properties = fc.dictionary(fc.constantFrom(...NAMES), anyValue, { maxKeys: NAMES.length });

const freshchat = new FakeFreshchat();
let system: TestSystem;
beforeAll(async () => {
  await freshchat.start();
  system = await startTestSystem({
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 't',
    FRESHCHAT_TAG_PROPERTIES: 'cf_tags',
  });
});
afterAll(async () => {
  await system?.stop();
  await freshchat.stop();
});

const valid = (body: string) => {
  try {
    return normaliseWebhook(JSON.parse(body), Buffer.from(body), new Date().toISOString()).status === 'event';
  } catch {
    return false;
  }
};
/** Posts until accepted: a 503 (Temporal slow to accept under load) is redelivered, as Freshchat would. */
const postOk = async (body: string) => {
  let status = 0;
  for (let attempt = 0; attempt < 10 && status !== 200; attempt++) {
    status = (await postWebhook(system.baseUrl, body)).status;
    if (status === 503) await new Promise((r) => setTimeout(r, 500));
    else expect(status).toBe(200);
  }
  expect(status).toBe(200);
};

test('simplified format: any text and property values, then a valid resolution', async () => {
  const samples = fc.sample(fc.record({ text: anyText, properties, messageId: fc.option(anyText) }), {
    numRuns: 30,
    seed: 20261126,
  });
  const ids: string[] = [];
  for (const sample of samples) {
    const id = uniqueConversationId();
    const doc = JSON.parse(retarget(fixtureText('simplified-message_create.json'), { [WEDDING_ID]: id }));
    doc.data.message.text = sample.text;
    doc.data.message.id = sample.messageId;
    doc.data.user.properties = sample.properties;
    const body = JSON.stringify(doc);
    if (!valid(body)) continue;
    await postOk(body);
    const resolution = JSON.parse(
      retarget(fixtureText('simplified-conversation_resolution.json'), { [WEDDING_ID]: id }),
    );
    resolution.data.user.properties = sample.properties;
    await postOk(JSON.stringify({ ...resolution, event_id: `r-${id}` }));
    ids.push(id);
  }
  expect(ids.length).toBeGreaterThan(20);
  for (const id of ids)
    await eventually(
      async () => expect(await incidenceOf(system.pool, id)).toMatchObject({ outcome: 'CONVERTED' }),
      30_000,
    );
}, 120_000);

test('real format: any Freshchat user property values the app can set, then a valid resolution', async () => {
  const samples = fc.sample(fc.record({ properties, referenceId: fc.option(anyText), text: anyText }), {
    numRuns: 25,
    seed: 7,
  });
  const ids: string[] = [];
  for (const [n, sample] of samples.entries()) {
    const id = uniqueConversationId();
    const user = `fc-prop-${n}-${id.slice(0, 8)}`;
    freshchat.users.set(user, {
      id: user,
      reference_id: sample.referenceId,
      properties: Object.entries(sample.properties).map(([name, value]) => ({ name, value })),
    });
    freshchat.conversations.set(id, { conversation_id: id, properties: { cf_tags: 'order_placed' } });
    const doc = JSON.parse(retarget(fixtureText('real-message_create.json'), { [WHITEFIELD_ID]: id }));
    doc.data.message.user_id = user;
    doc.data.message.message_parts = [{ text: { content: sample.text } }];
    const body = JSON.stringify(doc);
    if (!valid(body)) continue;
    await postOk(body);
    await postOk(retarget(fixtureText('real-conversation_resolution.json'), { [WHITEFIELD_ID]: id }));
    ids.push(id);
  }
  expect(ids.length).toBeGreaterThan(20);
  for (const id of ids)
    await eventually(
      async () => expect(await incidenceOf(system.pool, id)).toMatchObject({ outcome: 'CONVERTED' }),
      30_000,
    );
}, 120_000);
