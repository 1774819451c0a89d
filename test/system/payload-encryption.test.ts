import { temporal } from '@temporalio/proto';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../infra/payload-codec';
import { incidenceOf, retarget, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { ADMIN_API_TOKEN, appToken, CODEC_TOKEN, fixtureText, postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const FIXTURE_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const MESSAGE = 'Please call me about the sangeet menu for 350 guests';
const PHONE = '+91 98450 12345';
const UI_ORIGIN = 'http://127.0.0.1:8233';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.stop());

const Payload = temporal.api.common.v1.Payload;
const HistoryProto = temporal.api.history.v1.History;
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** A spec-format message whose text and user properties carry personal data. */
function messageWithPersonalData(conversationId: string): string {
  const body = JSON.parse(retarget(fixtureText('simplified-message_create.json'), { [FIXTURE_ID]: conversationId }));
  body.data.message.text = MESSAGE;
  body.data.user.properties.phone = PHONE;
  return JSON.stringify(body);
}

async function storedHistory(conversationId: string) {
  const response = await system.client.workflowService.getWorkflowExecutionHistory({
    namespace: system.config.TEMPORAL_NAMESPACE,
    execution: { workflowId: conversationWorkflowId(conversationId) },
  });
  return response.history!;
}

const decodeCall = (body: unknown, headers: Record<string, string>) =>
  fetch(`${system.baseUrl}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });

describe('customer data in Temporal', () => {
  const conversationId = uniqueConversationId();
  let signalPayloads: ReturnType<typeof Payload.toObject>[] = [];

  beforeAll(async () => {
    expect((await postWebhook(system.baseUrl, messageWithPersonalData(conversationId))).status).toBe(200);
    await eventually(async () => expect(await incidenceOf(system.pool, conversationId)).not.toBeNull());
  });

  test('the history as Temporal stores it holds no message text and no phone number', async () => {
    const history = await storedHistory(conversationId);
    const raw = Buffer.from(HistoryProto.encode(history).finish());
    expect(raw.includes(Buffer.from('sangeet'))).toBe(false);
    expect(raw.includes(Buffer.from(PHONE))).toBe(false);
    // The app user's id may be there: ids are not encrypted, so the UserId search attribute can find a user's conversations.

    const signal = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes)!;
    const payloads = signal.workflowExecutionSignaledEventAttributes!.input!.payloads!;
    for (const p of payloads) {
      expect(text(p.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata![KEY_ID_METADATA])).toBe('current');
    }
    signalPayloads = payloads.map((p) => Payload.toObject(Payload.create(p), { bytes: String }));
  });

  test("the codec endpoint decodes it for its own credential only, not the reports' admin token", async () => {
    expect((await decodeCall({ payloads: signalPayloads }, {})).status).toBe(401);
    const asApp = await decodeCall(
      { payloads: signalPayloads },
      { authorization: `Bearer ${await appToken('usr_1')}` },
    );
    expect(asApp.status).toBe(401);
    const asAdmin = await decodeCall({ payloads: signalPayloads }, { authorization: `Bearer ${ADMIN_API_TOKEN}` });
    expect(asAdmin.status).toBe(401);

    const res = await decodeCall({ payloads: signalPayloads }, { authorization: `Bearer ${CODEC_TOKEN}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    const decoded = Buffer.from(body.payloads[0]!.data, 'base64').toString('utf8');
    expect(decoded).toContain(MESSAGE);
    expect(decoded).toContain(PHONE);
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');

    // Tools that speak only Basic authentication send the token as the password.
    const basic = Buffer.from(`codec:${CODEC_TOKEN}`).toString('base64');
    expect((await decodeCall({ payloads: signalPayloads }, { authorization: `Basic ${basic}` })).status).toBe(200);
  });

  test('encode then decode round-trips through the endpoints', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'eyJhIjoxfQ==' };
    const auth = { authorization: `Bearer ${CODEC_TOKEN}`, 'content-type': 'application/json' };
    const encoded = await fetch(`${system.baseUrl}/codec/encode`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ payloads: [plain] }),
    });
    const sealed = (await encoded.json()) as { payloads: unknown[] };
    expect(JSON.stringify(sealed)).not.toContain(plain.data);
    const back = (await (await decodeCall(sealed, auth)).json()) as { payloads: Array<{ data: string }> };
    expect(back.payloads[0]!.data).toBe(plain.data);
  });

  test('the Temporal UI origin may call the codec from a browser; other origins may not', async () => {
    const preflight = (origin: string) =>
      fetch(`${system.baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

test('a rotated key set still decodes payloads sealed with the previous key; an unknown key id is refused', async () => {
  const key = (n: number) => ({ id: `k${n}`, key: Buffer.alloc(32, n) });
  const plain = [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"9845012345"') }];
  const sealedWithOld = await new EncryptionCodec([key(1)]).encode(plain);
  const rotated = new EncryptionCodec([key(2), key(1)]);
  expect(text((await rotated.decode(sealedWithOld))[0]!.data)).toBe('"9845012345"');
  expect(text((await rotated.encode(plain))[0]!.metadata![KEY_ID_METADATA])).toBe('k2');
  await expect(new EncryptionCodec([key(3)]).decode(sealedWithOld)).rejects.toThrow(/unknown key id "k1"/);
  // One bit of the ciphertext flipped (a fixed change: setting a random byte to 0 changed nothing 1 time in 256).
  const flipped = (data: Uint8Array) => Object.assign(Buffer.from(data), { [20]: data[20]! ^ 0x01 });
  const tampered = sealedWithOld.map((p) => ({ ...p, data: flipped(p.data!) }));
  expect(Buffer.compare(tampered[0]!.data, Buffer.from(sealedWithOld[0]!.data!))).not.toBe(0);
  await expect(rotated.decode(tampered)).rejects.toThrow();
});
