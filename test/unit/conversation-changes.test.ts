import type { ConversationEvent } from '../../domain/conversation-event';
import { initialConversationState } from '../../domain/conversation-state';
import { applyChange, incidenceChangeOf } from '../../workflows/conversation-changes';

const base = {
  conversationId: 'c1',
  format: 'real',
  actor: 'AGENT',
  actorId: 'a1',
  freshchatUserId: null,
  userProperties: null,
} as const;
const resolution = (at: string): ConversationEvent => ({
  ...base,
  kind: 'resolution',
  eventKey: `r:${at}`,
  occurredAt: at,
  tags: [],
});
const reopen = (at: string): ConversationEvent => ({
  ...base,
  kind: 'reopen',
  eventKey: `o:${at}`,
  occurredAt: at,
  interactionId: null,
});
const message = (at: string): ConversationEvent => ({
  ...base,
  kind: 'message',
  eventKey: `m:${at}`,
  occurredAt: at,
  messageId: at,
  text: 'hi',
  messageType: 'normal',
});
const RESOLVED = { outcome: 'RESOLVED', orderImpact: 'NONE', issueCategory: null } as const;

const run = (events: ConversationEvent[]) =>
  events.reduce(
    (state, event) =>
      applyChange(state, incidenceChangeOf(state, event, event.kind === 'resolution' ? RESOLVED : null)),
    initialConversationState('c1'),
  );

test('resolve, reopen, resolve again: time to resolve runs from the first event to the latest resolution', () => {
  const state = run([
    message('2026-01-20T04:00:00Z'),
    resolution('2026-01-20T04:10:00Z'),
    reopen('2026-01-21T07:00:00Z'),
    resolution('2026-01-22T04:00:00Z'),
  ]);
  expect(state).toMatchObject({
    outcome: 'RESOLVED',
    reopenCount: 1,
    resolvedAt: '2026-01-22T04:00:00Z',
    firstEventAt: '2026-01-20T04:00:00Z',
  });
  const change = incidenceChangeOf(initialConversationState('c1'), message('2026-01-20T04:00:00Z'), null);
  expect(change.firstEventAt).toBe('2026-01-20T04:00:00Z');
});

test('a reopen delivered after a newer resolution does not reopen it', () => {
  const state = run([resolution('2026-01-22T04:00:00Z'), reopen('2026-01-21T07:00:00Z')]);
  expect(state.outcome).toBe('RESOLVED');
});

test('a resolution that arrives before the first message: the late message moves the start and recomputes time to resolve', () => {
  let state = run([resolution('2026-01-20T05:00:00Z')]);
  const change = incidenceChangeOf(state, message('2026-01-19T05:00:00Z'), null);
  expect(change.timeToResolveSeconds).toBe(86400);
  state = applyChange(state, change);
  expect(state.firstEventAt).toBe('2026-01-19T05:00:00Z');
});

test('a message after resolution does not reopen', () => {
  expect(run([resolution('2026-01-20T05:00:00Z'), message('2026-01-20T06:00:00Z')]).outcome).toBe('RESOLVED');
});
