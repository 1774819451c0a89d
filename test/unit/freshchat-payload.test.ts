import { normaliseWebhook, PayloadError } from '../../domain/conversation/freshchat-payload';
import { fixture, fixtureText } from '../support/signing';

const RECEIVED = '2026-11-24T10:00:00.000Z';
const normalise = (file: string) => {
  const text = fixtureText(file);
  return normaliseWebhook(JSON.parse(text), Buffer.from(text), RECEIVED);
};
const eventOf = (file: string) => {
  const result = normalise(file);
  if (result.status !== 'event') throw new Error('expected an event');
  return result.event;
};

describe('real Freshchat format', () => {
  test('message_create: id, conversation, user, joined text, payload time', () => {
    expect(eventOf('real-message_create.json')).toMatchObject({
      kind: 'message',
      format: 'real',
      eventKey: 'message:d81f4c2a-6b3e-4f9d-a2c7-3e5b8f1d0a94',
      conversationId: '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82',
      freshchatUserId: '6e3c9f2a-4d0b-4e8f-83a7-0b2d5f9e4c16',
      actor: 'USER',
      occurredAt: '2026-01-20T04:18:33.497Z',
      messageType: 'normal',
      userProperties: null,
    });
    expect(eventOf('real-message_create.json')).toHaveProperty('text', expect.stringContaining('Whitefield'));
  });

  test('agent message carries the agent as actor and the end user as user', () => {
    expect(eventOf('real-message_create-agent.json')).toMatchObject({
      actor: 'AGENT',
      freshchatUserId: '6e3c9f2a-4d0b-4e8f-83a7-0b2d5f9e4c16',
    });
  });

  test('assignment, resolution and reopen key on action and action_time', () => {
    expect(eventOf('real-conversation_assignment.json')).toMatchObject({
      kind: 'assignment',
      agentId: 'b7e4d1a9-2c8f-4b6e-a1d3-5f9c0e7b2a48',
      eventKey: 'conversation_assignment:0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82:2026-01-20T04:19:40.226Z',
      occurredAt: '2026-01-20T04:19:40.226Z',
    });
    expect(eventOf('real-conversation_resolution.json')).toMatchObject({
      kind: 'resolution',
      tags: null,
      actor: 'AGENT',
    });
    expect(eventOf('real-conversation_reopen.json')).toMatchObject({
      kind: 'reopen',
      interactionId: '1094736201846208-1768978968600',
      freshchatUserId: '6e3c9f2a-4d0b-4e8f-83a7-0b2d5f9e4c16',
    });
  });

  test('a private note is a message of type private', () => {
    const { events } = fixture('real-sequence-wedding-order.json');
    const note = events.find((e: any) => e.data?.message?.message_type === 'private');
    const result = normaliseWebhook(note, Buffer.from(JSON.stringify(note)), RECEIVED);
    expect(result.status === 'event' && result.event).toMatchObject({
      kind: 'message',
      messageType: 'private',
      actor: 'AGENT',
    });
  });

  test('empty-string ids mean none', () => {
    const body = fixture('real-conversation_assignment.json');
    body.data.assignment.from_agent_id = '';
    const result = normaliseWebhook(body, Buffer.from(JSON.stringify(body)), RECEIVED);
    expect(result.status === 'event' && result.event).toMatchObject({ fromAgentId: null });
  });

  test('the legacy msg_parts shape is accepted', () => {
    const body = fixture('real-message_create.json');
    delete body.data.message.message_parts;
    body.data.message.msg_parts = [{ part_type: 'text', properties: { text: 'old style' } }];
    const result = normaliseWebhook(body, Buffer.from(JSON.stringify(body)), RECEIVED);
    expect(result.status === 'event' && result.event).toMatchObject({ text: 'old style' });
  });
});

describe('simplified format', () => {
  test('message: properties kept, key from the body hash, arrival time', () => {
    const event = eventOf('simplified-message_create.json');
    expect(event).toMatchObject({
      kind: 'message',
      format: 'simplified',
      actor: 'USER',
      occurredAt: RECEIVED,
      conversationId: '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71',
    });
    expect(event.eventKey).toMatch(/^message_create:sha256:[0-9a-f]{64}$/);
    expect(event.userProperties).toMatchObject({ user_id: 'usr_8F3K2Q', cart_value: 185000 });
  });
  test('resolution carries tag names', () => {
    expect(eventOf('simplified-conversation_resolution.json')).toMatchObject({
      kind: 'resolution',
      tags: ['menu_customisation', 'order_placed'],
    });
  });
  test('assignment and reopen', () => {
    expect(eventOf('simplified-conversation_assignment.json')).toMatchObject({
      kind: 'assignment',
      agentId: 'a3f9c2d8-6e1b-4a7c-9d5e-8b2f1c0e4a67',
    });
    expect(eventOf('simplified-conversation_reopen.json')).toMatchObject({ kind: 'reopen' });
  });
});

describe('bad input names the problem', () => {
  const error = (body: unknown): PayloadError => {
    try {
      normaliseWebhook(body, Buffer.from(JSON.stringify(body)), RECEIVED);
    } catch (e) {
      return e as PayloadError;
    }
    throw new Error('expected a PayloadError');
  };
  test.each([
    [[], 'body'],
    [{}, 'action'],
    [{ action: 'message_create' }, 'data'],
    [
      { action: 'message_create', data: { message: { id: 'm1', actor_type: 'user', message_parts: [] } } },
      'data.message.conversation_id',
    ],
    [{ action: 'conversation_resolution', data: { resolve: {} } }, 'data.resolve.conversation'],
    [{ action: 'message_create', data: { conversation: { id: 'c1' } } }, 'data.message'],
    [
      { action: 'conversation_resolution', data: { conversation: { id: 'c1', tags: 'pricing' } } },
      'data.conversation.tags',
    ],
    [
      {
        action: 'message_create',
        action_time: 'yesterday',
        data: { message: { id: 'm', conversation_id: 'c', actor_type: 'user', message_parts: [] } },
      },
      'action_time',
    ],
  ])('%j → field %s', (body, field) => {
    const e = error(body);
    expect(e).toBeInstanceOf(PayloadError);
    expect(e.field).toBe(field);
  });

  test('unknown actions are ignored, not refused', () => {
    expect(normaliseWebhook({ action: 'conversation_csat', data: {} }, Buffer.from('{}'), RECEIVED)).toEqual({
      status: 'ignored',
      action: 'conversation_csat',
    });
  });
});

describe('text that enters is kept storable', () => {
  const resolutionWith = (tags: unknown[]) => {
    const text = JSON.stringify({ action: 'conversation_resolution', data: { conversation: { id: 'c-tags', tags } } });
    const result = normaliseWebhook(JSON.parse(text), Buffer.from(text), RECEIVED);
    if (result.status !== 'event' || result.event.kind !== 'resolution') throw new Error('expected a resolution');
    return result.event.tags;
  };

  test("a long tag beside order_placed is clipped as Freshchat's own tags are, and the resolution stands", () => {
    expect(resolutionWith([{ name: 't'.repeat(150) }, { name: 'order_placed' }])).toEqual([
      't'.repeat(100),
      'order_placed',
    ]);
    expect(resolutionWith([{ name: '  ' }, { name: 'dropped' }])).toEqual(['dropped']);
  });

  test('a lone surrogate escaped in a webhook is dropped; a whole emoji is kept', () => {
    const text =
      '{"action":"message_create","data":{"conversation":{"id":"c-s"},"message":{"actor_type":"user","text":"hi \\ud83d and \\ud83d\\ude00"}}}';
    const result = normaliseWebhook(JSON.parse(text), Buffer.from(text), RECEIVED);
    expect(result).toMatchObject({ event: { text: 'hi  and \u{1F600}' } });
  });
});
