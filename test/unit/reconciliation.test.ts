import { normaliseWebhook } from '../../domain/conversation/freshchat-payload';
import {
  reconcileConversation,
  lastActivityOf,
  reconciledAssignmentKey,
  type ConversationRecord,
  type RestMessage,
} from '../../domain/reconciliation/reconciliation';
import { fixture } from '../support/signing';
import { realMessage, realResolution } from '../../bench/support/freshchat-events';

const NOW = '2026-11-26T10:00:00.000Z';
const C = 'conv-1';
const webhookEvent = (body: object) => {
  const result = normaliseWebhook(body, Buffer.from(JSON.stringify(body)), NOW);
  if (result.status !== 'event') throw new Error('not an event');
  return result.event;
};
const record = (over: Partial<ConversationRecord> = {}): ConversationRecord => ({
  outcome: 'IN_PROGRESS',
  resolutionType: null,
  agentId: null,
  assignedAt: null,
  eventKeys: new Set(),
  stateChanges: [],
  ...over,
});
const marker = (kind: 'isResolved' | 'isReopen', at: string): RestMessage => ({
  id: `${kind}-${at}`,
  actor_type: 'agent',
  actor_id: 'agent-1',
  message_type: 'system',
  created_time: at,
  message_parts: [],
  meta_data: { [kind]: true },
});

test('a message read from the REST API becomes exactly the event its webhook would have been', () => {
  const body = realMessage({ conversationId: C, id: 'm1', userId: 'u1', at: '2026-11-20T09:00:00.000Z', text: 'hi' });
  const { repairs } = reconcileConversation({ conversation_id: C }, [body.data.message], null, NOW);
  expect(repairs).toEqual([webhookEvent(body)]);
});

test("a resolution marker's time gives the webhook's own key", () => {
  const at = '2026-11-20T09:10:00.000Z';
  const { repairs } = reconcileConversation(
    { conversation_id: C, status: 'resolved' },
    [marker('isResolved', at)],
    record(),
    NOW,
  );
  expect(repairs.map((e) => [e.kind, e.eventKey, e.occurredAt])).toEqual([
    ['resolution', webhookEvent(realResolution({ conversationId: C, at })).eventKey, at],
  ]);
});

test("Freshchat's listed messages, newest first, become repairs oldest first; those in the record are skipped", () => {
  const listed = fixture('real-api-list-messages.json').messages as RestMessage[];
  const conversation = { conversation_id: listed[0]!.conversation_id! };
  const all = reconcileConversation(conversation, listed, null, NOW).repairs;
  expect(all).toHaveLength(6);
  expect(all.map((e) => e.occurredAt)).toEqual(listed.map((m) => m.created_time).reverse());
  expect(all.find((e) => e.kind === 'message' && e.messageType === 'private')).toBeDefined();
  const known = record({ eventKeys: new Set(listed.slice(1).map((m) => `message:${m.id}`)) });
  expect(reconcileConversation(conversation, listed, known, NOW).repairs.map((e) => e.eventKey)).toEqual([
    `message:${listed[0]!.id}`,
  ]);
});

test('a state change already recorded within a few seconds of the marker is not repeated', () => {
  const at = '2026-11-20T09:10:00.000Z';
  const recorded = record({
    outcome: 'RESOLVED',
    stateChanges: [{ kind: 'resolution', at: '2026-11-20T09:10:00.004Z' }],
  });
  const found = reconcileConversation(
    { conversation_id: C, status: 'resolved' },
    [marker('isResolved', at)],
    recorded,
    NOW,
  );
  expect(found.repairs).toEqual([]);
});

test('without marker messages the status decides, at the last change Freshchat reports', () => {
  const updated_time = '2026-11-21T08:00:00.000Z';
  const resolved = reconcileConversation({ conversation_id: C, status: 'resolved', updated_time }, [], record(), NOW);
  expect(resolved.repairs.map((e) => [e.kind, e.occurredAt])).toEqual([['resolution', updated_time]]);

  const closed = record({
    outcome: 'RESOLVED',
    stateChanges: [{ kind: 'resolution', at: '2026-11-20T09:00:00.000Z' }],
  });
  const reopened = reconcileConversation({ conversation_id: C, status: 'reopened', updated_time }, [], closed, NOW);
  expect(reopened.repairs.map((e) => [e.kind, e.occurredAt])).toEqual([['reopen', updated_time]]);

  // Our own silence rule closed it: Freshchat still showing it open is no reopen.
  const silent = record({ outcome: 'DROPPED', resolutionType: 'WENT_SILENT' });
  expect(
    reconcileConversation({ conversation_id: C, status: 'assigned', updated_time }, [], silent, NOW).repairs,
  ).toEqual([]);
});

test('a new assignee gets an assignment keyed by assignee and Freshchat time; the same assignee needs none', () => {
  const conversation = { conversation_id: C, status: 'assigned', assigned_agent_id: 'agent-9', updated_time: NOW };
  const [assignment] = reconcileConversation(conversation, [], record(), NOW).repairs;
  expect(assignment).toMatchObject({
    kind: 'assignment',
    agentId: 'agent-9',
    occurredAt: NOW,
    eventKey: reconciledAssignmentKey(C, { agentId: 'agent-9' }, NOW),
  });
  expect(reconcileConversation(conversation, [], record({ agentId: 'agent-9' }), NOW).repairs).toEqual([]);
});

test('the same assignee again after another is a new repair; a record assigned since Freshchat was read is kept', () => {
  const later = '2026-11-26T11:00:00.000Z';
  const again = { conversation_id: C, status: 'assigned', assigned_agent_id: 'agent-9', updated_time: later };
  const [repair] = reconcileConversation(again, [], record({ agentId: 'agent-7', assignedAt: NOW }), later).repairs;
  expect(repair!.eventKey).toBe(reconciledAssignmentKey(C, { agentId: 'agent-9' }, later));
  expect(repair!.eventKey).not.toBe(reconciledAssignmentKey(C, { agentId: 'agent-9' }, NOW));
  const stale = { ...again, updated_time: NOW };
  expect(reconcileConversation(stale, [], record({ agentId: 'agent-7', assignedAt: later }), later).repairs).toEqual(
    [],
  );
});

test('a conversation back in a group queue (no agent) is repaired as an unassignment', () => {
  const queued = {
    conversation_id: C,
    status: 'assigned',
    assigned_agent_id: null,
    assigned_group_id: 'g-1',
    updated_time: NOW,
  };
  const [repair] = reconcileConversation(
    queued,
    [],
    record({ agentId: 'agent-9', assignedAt: '2026-11-26T09:00:00.000Z' }),
    NOW,
  ).repairs;
  expect(repair).toMatchObject({ kind: 'assignment', agentId: null, groupId: 'g-1' });
  expect(repair!.eventKey).toBe(reconciledAssignmentKey(C, { agentId: null, groupId: 'g-1' }, NOW));
  // Nothing to unassign in a conversation never assigned.
  expect(reconcileConversation(queued, [], record(), NOW).repairs).toEqual([]);
});

test("a conversation's last activity is its latest time Freshchat reports", () => {
  const message = { id: 'm', created_time: '2026-11-26T12:00:00.000Z' } as RestMessage;
  expect(lastActivityOf({ conversation_id: C, created_time: NOW, updated_time: NOW }, [message])).toBe(
    Date.parse('2026-11-26T12:00:00.000Z'),
  );
  expect(lastActivityOf({ conversation_id: C }, [])).toBeNull();
});

test('system lines are skipped and a message without an id is counted unreadable, never fatal', () => {
  const system: RestMessage = {
    id: 's1',
    message_type: 'system',
    actor_type: 'system',
    message_parts: [],
    created_time: NOW,
  };
  const noId = { actor_type: 'user', message_parts: [] } as unknown as RestMessage;
  expect(reconcileConversation({ conversation_id: C }, [system, noId], record(), NOW)).toEqual({
    repairs: [],
    unreadable: 1,
  });
});
