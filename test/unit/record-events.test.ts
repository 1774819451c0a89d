import type { ConversationEvent } from '../../domain/conversation-event';
import { initialConversationState } from '../../domain/conversation-state';
import type { IncidenceSnapshot } from '../../domain/incidence-snapshot';
import { createRecordEvents } from '../../activities/record-events';

const base = { conversationId: 'c1', format: 'simplified', freshchatUserId: null, userProperties: null } as const;
const message = (at: string, userProperties: Record<string, string> | null = null): ConversationEvent => ({
  ...base,
  userProperties,
  kind: 'message',
  actor: 'USER',
  actorId: null,
  eventKey: `m:${at}`,
  occurredAt: at,
  messageId: at,
  text: 'hi',
  messageType: 'normal',
});
const assignment = (at: string): ConversationEvent => ({
  ...base,
  kind: 'assignment',
  actor: 'SYSTEM',
  actorId: null,
  eventKey: `a:${at}`,
  occurredAt: at,
  agentId: 'agent-7',
  groupId: null,
  fromAgentId: null,
});
const snapshot = (userId: string | null): IncidenceSnapshot => ({
  incidenceId: 'i1',
  userId,
  stage: 'PRE_ORDER',
  outcome: 'IN_PROGRESS',
  agentId: null,
  cartValue: null,
  eventType: null,
  createdAt: '2026-11-02T10:00:00.000Z',
  resolvedAt: null,
  lastStateChangeAt: null,
  reopenCount: 0,
});

/** Steps that record what they were asked; `stored` says which event keys the database takes as new. */
function fakeSteps(stored: (eventKey: string) => boolean) {
  const calls: string[] = [];
  return {
    calls,
    steps: {
      ensureIncidence: async (input: { event: ConversationEvent }) => {
        calls.push(`ensure ${input.event.eventKey}`);
        return snapshot(input.event.userProperties ? 'u1' : null);
      },
      applyIncidenceChange: async (input: { timeline: { eventKey: string } }) => {
        calls.push(`apply ${input.timeline.eventKey}`);
        return stored(input.timeline.eventKey);
      },
    },
  };
}

test('a burst is applied in order: the incidence ensured once, then each event stored and folded into the state', async () => {
  const { calls, steps } = fakeSteps(() => true);
  const { recordEvents } = createRecordEvents(steps);
  const events = [message('2026-11-02T10:00:00.000Z', { user_id: 'u1' }), assignment('2026-11-02T10:01:00.000Z')];
  const recorded = await recordEvents({
    state: initialConversationState('c1'),
    events: events.map((event) => ({ event, resolution: null })),
  });
  expect(calls).toEqual([
    'ensure m:2026-11-02T10:00:00.000Z',
    'apply m:2026-11-02T10:00:00.000Z',
    'apply a:2026-11-02T10:01:00.000Z',
  ]);
  expect(recorded.state).toMatchObject({ incidenceId: 'i1', userId: 'u1', agentId: 'agent-7', eventsApplied: 2 });
  expect(recorded.closedAt).toEqual([]);
});

test('an event the database already has counts as a duplicate and leaves the state as it was', async () => {
  const { steps } = fakeSteps((key) => !key.startsWith('a:'));
  const { recordEvents } = createRecordEvents(steps);
  const recorded = await recordEvents({
    state: initialConversationState('c1'),
    events: [message('2026-11-02T10:00:00.000Z'), assignment('2026-11-02T10:01:00.000Z')].map((event) => ({
      event,
      resolution: null,
    })),
  });
  expect(recorded.state).toMatchObject({ agentId: null, eventsApplied: 1, duplicatesSkipped: 1 });
});
