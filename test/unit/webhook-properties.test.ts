import fc from 'fast-check';
import { createWebhookVerifier } from '../../api/webhooks/signature';
import { normaliseWebhook, PayloadError, PAYLOAD_LIMITS } from '../../domain/conversation/freshchat-payload';
import { fixture, hmacSign, HMAC_SECRET, RSA_PUBLIC_KEY, rsaSign } from '../support/signing';
import { propertyRuns } from '../support/property-runs';

const RECEIVED_AT = '2026-11-24T10:00:00.000Z';
const FIXTURES = [
  'simplified-message_create.json',
  'simplified-conversation_assignment.json',
  'simplified-conversation_resolution.json',
  'simplified-conversation_reopen.json',
  'real-message_create.json',
  'real-conversation_assignment.json',
  'real-conversation_resolution.json',
  'real-conversation_reopen.json',
];

/** What the parser may do with any input: return a typed result or throw PayloadError naming a field. */
function outcomeOf(body: unknown): 'event' | 'ignored' | 'rejected' {
  try {
    return normaliseWebhook(body, Buffer.from(JSON.stringify(body) ?? ''), RECEIVED_AT).status;
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    expect(error.field).not.toBe('');
    return 'rejected';
  }
}

/** Sets `value` at a random existing path inside `doc` (a deep copy). */
function mutateAt(doc: unknown, pick: number, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const paths: Array<[Record<string, unknown>, string]> = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      paths.push([node as Record<string, unknown>, key]);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(copy);
  const [parent, key] = paths[pick % paths.length]!;
  parent[key] = value;
  return copy;
}

const hostile = fc.oneof(
  fc.anything(),
  fc.string({ minLength: PAYLOAD_LIMITS.textLength + 1, maxLength: PAYLOAD_LIMITS.textLength + 50 }),
  fc.integer({ min: 1, max: 2000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  fc.constantFrom(null, '', 0, -1, 1e308, true, [], {}),
);

describe('the webhook parser under random input', () => {
  test('any JSON value is an event, ignored, or a PayloadError naming a field; never another exception', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => void outcomeOf(body)),
      { numRuns: propertyRuns(2000) },
    );
  });

  test('random objects with a known action never crash the parser', () => {
    const action = fc.constantFrom(
      'message_create',
      'conversation_assignment',
      'conversation_resolution',
      'conversation_reopen',
    );
    fc.assert(
      fc.property(action, fc.anything(), (a, data) => void outcomeOf({ action: a, data })),
      { numRuns: propertyRuns(2000) },
    );
  });

  test.each(FIXTURES)('mutations of %s at any path are handled', (file) => {
    const doc = fixture(file);
    expect(outcomeOf(doc)).toBe('event');
    fc.assert(
      fc.property(fc.nat(), hostile, (pick, value) => void outcomeOf(mutateAt(doc, pick, value))),
      { numRuns: propertyRuns(500) },
    );
  });

  const conversationIdPath = (doc: any): [Record<string, unknown>, string] => {
    if (doc.data.conversation) return [doc.data.conversation, 'id'];
    if (doc.data.message) return [doc.data.message, 'conversation_id'];
    const [inner] = Object.values(doc.data) as any[];
    return [inner.conversation, 'conversation_id'];
  };

  test.each(FIXTURES)('%s with its conversation id replaced by a wrong type is rejected', (file) => {
    const wrongType = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string()),
      fc.constant(' '.repeat(10)),
      fc.stringMatching(/^[a-z0-9]{256,300}$/),
    );
    fc.assert(
      fc.property(wrongType, (value) => {
        const doc = fixture(file);
        const [parent, key] = conversationIdPath(doc);
        parent[key] = value;
        expect(outcomeOf(doc)).toBe('rejected');
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  test('a message text of any length is kept whole (the body limit is its only bound)', () => {
    const doc = fixture('simplified-message_create.json');
    doc.data.message.text = 'x'.repeat(PAYLOAD_LIMITS.textLength * 3);
    expect(outcomeOf(doc)).toBe('event');
  });
});

describe('the signature check under random input', () => {
  const verify = createWebhookVerifier({ secret: HMAC_SECRET, publicKey: RSA_PUBLIC_KEY });
  const body = fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((a) => Buffer.from(a));

  test('an HMAC signature replayed over a body with any byte altered never verifies', () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.integer({ min: 1, max: 255 }), (raw, at, delta) => {
        const signature = hmacSign(raw);
        expect(verify(raw, signature)).toBe(true);
        const altered = Buffer.from(raw);
        altered[at % altered.length] = (altered[at % altered.length]! + delta) % 256;
        expect(verify(altered, signature)).toBe(false);
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  test('an RSA signature replayed over a truncated or extended body never verifies', () => {
    fc.assert(
      fc.property(body, fc.boolean(), (raw, truncate) => {
        const signature = rsaSign(raw);
        expect(verify(raw, signature)).toBe(true);
        const altered = truncate ? raw.subarray(0, raw.length - 1) : Buffer.concat([raw, Buffer.from(' ')]);
        expect(verify(altered, signature)).toBe(false);
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  test('random strings as signatures never verify', () => {
    fc.assert(
      fc.property(body, fc.string({ maxLength: 700 }), (raw, signature) => expect(verify(raw, signature)).toBe(false)),
      { numRuns: propertyRuns(1000) },
    );
  });
});

describe('times in real payloads', () => {
  const withActionTime = (time: unknown) => ({ ...fixture('real-conversation_resolution.json'), action_time: time });
  test.each([
    '1',
    '2026-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-01-16 13:42:07',
    '2026-01-16T13:42:07',
    'yesterday',
  ])('action_time %s (which PostgreSQL would refuse or misread) is rejected naming the field', (time) => {
    expect(() => normaliseWebhook(withActionTime(time), Buffer.from('x'), RECEIVED_AT)).toThrow(/action_time/);
  });
  test.each(['2026-01-16T13:42:07.318Z', '2026-01-16T19:12:07+05:30', '2024-02-29T00:00:00Z'])(
    'action_time %s is accepted',
    (time) => {
      expect(outcomeOf(withActionTime(time))).toBe('event');
    },
  );
});
