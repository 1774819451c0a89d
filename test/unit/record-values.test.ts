import { isDataRefusal, sqlStateOf } from '../../activities/data-rejection';
import { normaliseWebhook, PayloadError } from '../../domain/conversation/freshchat-payload';
import { contextFromProperties } from '../../domain/conversation/incidence-context';
import { fitsDecimal, recordId, recordTag, storableDeep, storableText } from '../../domain/conversation/record-values';
import { resolutionFromTags, splitTags } from '../../domain/conversation/resolution-rules';
import { fixture } from '../support/signing';
import { InvalidInputError } from 'slonik';

const RECEIVED = '2026-11-24T10:00:00.000Z';
const normalise = (doc: unknown) => {
  const text = JSON.stringify(doc);
  const result = normaliseWebhook(JSON.parse(text), Buffer.from(text), RECEIVED);
  if (result.status !== 'event') throw new Error('expected an event');
  return result.event;
};

describe('context values the record cannot hold are left out and named', () => {
  test.each([
    ['current_screen', 'x'.repeat(101), 'appScreen'],
    ['event_type', 'e'.repeat(51), 'eventType'],
    ['user_id', 'u'.repeat(256), 'userId'],
    ['order_id', 'o'.repeat(256), 'orderId'],
    ['cart_value', 1e10, 'cartValue'],
    ['cart_value', '9999999999.995', 'cartValue'],
    ['guest_count', 2 ** 31, 'guestCount'],
    ['friction_score', 1000, 'frictionScore'],
    ['friction_score', '-999.996', 'frictionScore'],
  ])('%s = %s', (name, value, field) => {
    const dropped: string[] = [];
    expect(
      contextFromProperties({ [name]: value, user_id: name === 'user_id' ? value : 'usr_1' }, dropped),
    ).not.toHaveProperty(field);
    expect(dropped).toContain(field);
  });

  test('values at the columns’ limits are kept; U+0000 is stripped', () => {
    const dropped: string[] = [];
    expect(
      contextFromProperties(
        {
          current_screen: 'x'.repeat(100),
          event_type: 'wed\u0000ding',
          cart_value: 9999999999.99,
          guest_count: 2 ** 31 - 1,
          friction_score: '999.99',
        },
        dropped,
      ),
    ).toEqual({
      appScreen: 'x'.repeat(100),
      eventType: 'WEDDING',
      cartValue: 9999999999.99,
      guestCount: 2 ** 31 - 1,
      frictionScore: 999.99,
    });
    expect(dropped).toEqual([]);
  });

  test('DECIMAL rounding is checked after rounding to cents', () => {
    expect(fitsDecimal(999.994, 1000)).toBe(999.99);
    expect(fitsDecimal(999.995, 1000)).toBeUndefined();
  });

  test('ids from Freshchat answers: too long or empty is none', () => {
    expect(recordId('a'.repeat(255))).toHaveLength(255);
    expect(recordId('a'.repeat(256))).toBeNull();
    expect(recordId('\u0000')).toBeNull();
    expect(recordId({})).toBeNull();
  });
});

test('tags are clipped to the issue category column and stripped of U+0000', () => {
  const long = 't'.repeat(150);
  expect(splitTags(`order_placed, ${long},x\u0000y`)).toEqual(['order_placed', 't'.repeat(100), 'xy']);
  expect(resolutionFromTags([long]).issueCategory).toHaveLength(100);
});

test('a tag is clipped by code point: an emoji at the limit is kept whole, never half of it', () => {
  const tag = `${'a'.repeat(99)}\u{1F600}`;
  expect(recordTag(tag)).toBe(tag);
  expect(recordTag(`${'a'.repeat(100)}\u{1F600}`)).toBe('a'.repeat(100));
  expect(recordTag(`${'a'.repeat(98)}\u{1F600}\u{1F600}`)).toBe(`${'a'.repeat(98)}\u{1F600}\u{1F600}`);
  expect(recordTag(`${'a'.repeat(99)}\u{1F600}x`)).toBe(tag);
  // JSON.stringify escapes a lone half as \udXXX, which jsonb refuses.
  expect(JSON.stringify(recordTag(`${'a'.repeat(99)}\u{1F600}\u{1F600}`))).not.toMatch(/\\ud[89a-f]/);
});

test('storableText drops lone surrogates and U+0000, and keeps pairs', () => {
  expect(storableText('ok\ud83d')).toBe('ok');
  expect(storableText('\ude00ok\u0000')).toBe('ok');
  expect(storableText('\u{1F600}')).toBe('\u{1F600}');
});

test('storableDeep strips U+0000 from every string, keys included', () => {
  expect(storableDeep({ 'a\u0000': ['b\u0000c', 1, null, { d: 'e\u0000' }] })).toEqual({
    a: ['bc', 1, null, { d: 'e' }],
  });
});

test('storableDeep walks a value nested far deeper than the call stack allows', () => {
  const depth = 200_000;
  const deep = JSON.parse('['.repeat(depth) + '"x\\u0000"' + ']'.repeat(depth)) as unknown;
  let inner = storableDeep(deep);
  for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
  expect(inner).toBe('x');
});

describe('the webhook boundary', () => {
  test('U+0000 in text and property values is stripped; in an id it is a 400 naming the field', () => {
    const doc = fixture('simplified-message_create.json');
    doc.data.message.text = 'hi\u0000there';
    doc.data.user.properties.current_screen = 'check\u0000out';
    const event = normalise(doc);
    expect(event).toMatchObject({ text: 'hithere', userProperties: { current_screen: 'checkout' } });
    doc.data.conversation.id = 'c\u00001';
    expect(() => normalise(doc)).toThrow(new PayloadError('data.conversation.id', 'contains U+0000'));
  });

  test('simplified format: an event id keys the event and an event time dates it', () => {
    const doc = {
      ...fixture('simplified-conversation_resolution.json'),
      event_id: 'evt-1',
      event_time: '2026-03-02T10:00:00Z',
    };
    expect(normalise(doc)).toMatchObject({
      eventKey: 'conversation_resolution:event:evt-1',
      occurredAt: '2026-03-02T10:00:00Z',
    });
  });

  test('simplified format without them: identical bodies share one key (one delivery), dated on arrival', () => {
    const doc = fixture('simplified-conversation_resolution.json');
    const first = normalise(doc);
    expect(first.eventKey).toMatch(/^conversation_resolution:sha256:[0-9a-f]{64}$/);
    expect(first.occurredAt).toBe(RECEIVED);
    expect(normalise(doc).eventKey).toBe(first.eventKey);
  });

  test('a bad event time is a 400 naming it', () => {
    const doc = { ...fixture('simplified-conversation_resolution.json'), event_time: '2026-02-30T10:00:00Z' };
    expect(() => normalise(doc)).toThrow(PayloadError);
  });
});

describe('which database errors are refusals of the data', () => {
  test.each([
    ['22001', true],
    ['22003', true],
    ['22021', true],
    ['22P05', true],
    ['23502', true],
    ['23514', true],
    ['08006', false],
    ['40001', false],
    ['57P01', false],
    ['53300', false],
  ])('%s → %s', (code, refusal) => {
    expect(isDataRefusal(code)).toBe(refusal);
  });

  test('the SQLSTATE is found along the causes; connection errors have none', () => {
    const pgError = Object.assign(new Error('value too long'), { code: '22001' });
    expect(sqlStateOf(new Error('wrapped', { cause: pgError }))).toBe('22001');
    expect(sqlStateOf(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBeNull();
    expect(isDataRefusal(sqlStateOf(new Error('timeout')))).toBe(false);
  });

  test("slonik's InvalidInputError (PostgreSQL's 22P02, its code dropped) is a refusal", () => {
    const invalid = new InvalidInputError('invalid input syntax for type json');
    expect(sqlStateOf(invalid)).toBe('22P02');
    // As it arrives when emitted on a client with no 'error' listener.
    const unhandled = Object.assign(new Error('Unhandled error.'), { code: 'ERR_UNHANDLED_ERROR', context: invalid });
    expect(sqlStateOf(unhandled)).toBe('22P02');
  });
});
