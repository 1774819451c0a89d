import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { createSlaActivities } from '../activities/sla-activities';
import { createFreshchatClient } from '../clients/freshchat-client';
import { createOutboundEventSender, OUTBOUND_HEADERS, signOutboundEvent } from '../clients/outbound-events';
import { ALWAYS_OPEN } from '../domain/business-hours';
import { FakeFreshchat } from './support/fake-freshchat';
import { OutboundReceiver } from './support/outbound-receiver';

// Breach side effects against real HTTP servers standing in for Freshchat and an event receiver (no Temporal here).
const freshchat = new FakeFreshchat();
const receiver = new OutboundReceiver();
beforeAll(async () => {
  await Promise.all([freshchat.start(), receiver.start()]);
  freshchat.route((r) => (r.path.startsWith('/conversations/known') ? { status: 200, body: {} } : undefined));
});
afterAll(async () => Promise.all([freshchat.stop(), receiver.stop()]));

const activities = (freshchatUrl?: string) =>
  createSlaActivities({
    pool: undefined as never,
    freshchat: createFreshchatClient({ baseUrl: freshchatUrl, token: 'test-token' }),
    logger: pino({ level: 'silent' }),
    slaConfig: { policies: { policies: [] }, hours: ALWAYS_OPEN },
    outbound: createOutboundEventSender({ url: receiver.url, secret: 'shh' }),
  });

test('a private-note escalation posts a private agent message into the conversation', async () => {
  await activities(freshchat.url).escalateSlaBreach({
    conversationId: 'known-1',
    escalation: { action: 'PRIVATE_NOTE', actorId: 'agent-sla' },
    note: 'SLA breached: first response was due 10:02',
  });
  expect(freshchat.requests.at(-1)).toMatchObject({
    method: 'POST',
    path: '/conversations/known-1/messages',
    authorization: 'Bearer test-token',
    body: {
      message_type: 'private',
      actor_type: 'agent',
      actor_id: 'agent-sla',
      message_parts: [{ text: { content: 'SLA breached: first response was due 10:02' } }],
    },
  });
});

test('an escalation Freshchat cannot place (unknown conversation, or no API configured) is dropped, not retried', async () => {
  const before = freshchat.requests.length;
  const reassign = { action: 'REASSIGN' as const, groupId: 'priority' };
  await expect(
    activities(freshchat.url).escalateSlaBreach({ conversationId: 'gone', escalation: reassign, note: '' }),
  ).resolves.toBeUndefined();
  expect(freshchat.requests.slice(before)).toEqual([
    expect.objectContaining({
      method: 'PUT',
      path: '/conversations/gone',
      body: { status: 'assigned', assigned_group_id: 'priority' },
    }),
  ]);
  await expect(
    activities(undefined).escalateSlaBreach({ conversationId: 'known-2', escalation: reassign, note: '' }),
  ).resolves.toBeUndefined();
  expect(freshchat.requests.length).toBe(before + 1);
});

test('Freshchat down (5xx) makes the escalation retryable', async () => {
  freshchat.failNext({ status: 503 });
  await expect(
    activities(freshchat.url).escalateSlaBreach({
      conversationId: 'known-3',
      escalation: { action: 'REASSIGN', groupId: 'g' },
      note: '',
    }),
  ).rejects.toMatchObject({ nonRetryable: false });
});

test('outbound events: signed over "<timestamp>.<body>"; 5xx/429 retryable, other 4xx final', async () => {
  const send = (id: string) => activities().deliverOutboundEvent({ deliveryId: id, body: `{"id":"${id}"}` });
  await send('e-1');
  const got = receiver.received.at(-1)!;
  const timestamp = Number(got.headers[OUTBOUND_HEADERS.timestamp]);
  expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
  expect(got.headers[OUTBOUND_HEADERS.signature]).toBe(signOutboundEvent('shh', timestamp, '{"id":"e-1"}'));
  expect(got.headers[OUTBOUND_HEADERS.deliveryId]).toBe('e-1');
  expect(got.headers['content-type']).toBe('application/json');

  for (const [status, nonRetryable] of [
    [500, false],
    [429, false],
    [408, false],
    [400, true],
    [410, true],
  ] as const) {
    receiver.failNext(status);
    const failure = await send(`e-${status}`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(nonRetryable);
  }
});

test('the signature is HMAC-SHA256 in hex with a sha256= prefix', () => {
  // Computed independently: echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
  expect(signOutboundEvent('secret', 1_700_000_000, '{"a":1}')).toBe(
    'sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
  );
});
