import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { createSlaActivities } from '../../activities/sla-activities';
import { createFreshchatClient } from '../../clients/freshchat-client';
import { createOutboundEventSender, OUTBOUND_HEADERS, signOutboundEvent } from '../../clients/outbound-events';
import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { OutboundReceiver } from '../support/outbound-receiver';

// Outbound events against a real HTTP receiver (no Temporal here); escalations are in sla-escalations.test.ts.
const receiver = new OutboundReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

const activities = () =>
  createSlaActivities({
    pool: undefined as never,
    freshchat: createFreshchatClient({}),
    logger: pino({ level: 'silent' }),
    slaConfig: { policies: { policies: [] }, hours: ALWAYS_OPEN },
    outbound: createOutboundEventSender({ url: receiver.url, secret: 'shh' }),
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
