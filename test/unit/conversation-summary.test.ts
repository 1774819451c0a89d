import { initialConversationState } from '../../domain/conversation/conversation-state';
import { conversationDetails } from '../../domain/conversation/conversation-summary';
import { outboundEventOf } from '../../domain/sla/outbound-event';
import { initialResponseClock } from '../../domain/sla/response-clock';

const state = {
  ...initialConversationState('c-1'),
  incidenceId: 'inc-1',
  userId: 'usr_8F3K2Q',
  cartValue: 185000,
  eventType: 'WEDDING',
  stage: 'PRE_ORDER' as const,
  agentId: 'priya',
};
const sla = { policy: 'wedding-high-value', status: 'ACTIVE' as const, nextDueAt: '2026-01-20T04:02:00.000Z' };

test('the Temporal UI details name the customer, cart, stage, agent, waiting time and SLA due times', () => {
  const details = conversationDetails(
    state,
    { ...initialResponseClock(), waitingSince: '2026-01-20T04:00:00.000Z' },
    sla,
  );
  expect(details.split('\n')).toEqual([
    '**Customer** usr_8F3K2Q · **Cart** ₹1,85,000 · **Event** WEDDING',
    '**Stage** PRE_ORDER · **Outcome** IN_PROGRESS · **Agent** priya · **Reopens** 0',
    '**Customer waiting since** 2026-01-20T04:00:00.000Z',
    '**SLA** wedding-high-value: ACTIVE',
    '- next target due 2026-01-20T04:02:00.000Z',
  ]);
  expect(
    conversationDetails(initialConversationState('c-2'), null, { policy: null, status: null, nextDueAt: null }),
  ).toMatch(/cart unknown[\s\S]*SLA\*\* none applies/);
});

test('outbound event ids are the same however often the event is produced, and differ between events', () => {
  const target = {
    target: 'FIRST_RESPONSE' as const,
    startedAt: '2026-01-20T04:00:00.000Z',
    policy: 'wedding-high-value',
    dueAt: '2026-01-20T04:02:00.000Z',
    status: 'MISSED' as const,
    settledAt: '2026-01-20T04:02:00.000Z',
  };
  const a = outboundEventOf('sla.breached', state, '2026-01-20T04:02:00.000Z', target);
  const b = outboundEventOf('sla.breached', state, '2026-01-20T04:02:01.000Z', target);
  expect(a.id).toBe(b.id);
  expect(a.id).toBe('sla.breached:inc-1:FIRST_RESPONSE:2026-01-20T04:00:00.000Z');
  expect(outboundEventOf('incidence.created', state, 'x').id).toBe('incidence.created:inc-1');
  expect(outboundEventOf('incidence.resolved', state, '2026-01-21T00:00:00.000Z').id).not.toBe(
    outboundEventOf('incidence.resolved', state, '2026-01-22T00:00:00.000Z').id,
  );
  expect(a.data).toMatchObject({
    incidence_id: 'inc-1',
    cart_value: 185000,
    sla: { target: 'FIRST_RESPONSE', status: 'MISSED' },
  });
});
