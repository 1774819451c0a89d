import { ApplicationFailure } from '@temporalio/common';
import { initialConversationState } from '../../domain/conversation-state';
import type { IncidenceSnapshot } from '../../domain/incidence-snapshot';
import { DATA_REJECTED } from '../../domain/record-values';
import { createRecordEvents, type RecordSteps } from '../../use-cases/record-events';
import { at, events } from '../support/conversation-fakes';

const snapshot: IncidenceSnapshot = {
  incidenceId: 'i1',
  userId: 'usr_1',
  stage: 'PRE_ORDER',
  outcome: 'IN_PROGRESS',
  agentId: null,
  cartValue: null,
  eventType: null,
  createdAt: at(0),
  resolvedAt: null,
  lastStateChangeAt: null,
  reopenCount: 0,
};

/** Steps that record their calls; `refuse` names event keys whose change PostgreSQL refuses. */
function steps(refuse = new Set<string>()) {
  const calls: string[] = [];
  const recordSteps: RecordSteps = {
    ensureIncidence: async ({ event }) => (calls.push(`ensure ${event.eventKey}`), snapshot),
    applyIncidenceChange: async ({ timeline }) => {
      calls.push(`apply ${timeline.eventKey}`);
      if (refuse.has(timeline.eventKey))
        throw ApplicationFailure.create({
          type: DATA_REJECTED,
          details: [{ step: 'applyIncidenceChange', sqlstate: '22008' }],
        });
      return { stored: true, snapshot };
    },
  };
  return { calls, recordSteps };
}

test('each event is stored in order; the incidence is ensured once; a refused event is only its own result', async () => {
  const { calls, recordSteps } = steps(new Set(['m2']));
  const { recordEvents } = createRecordEvents(recordSteps);
  const results = await recordEvents({
    state: initialConversationState('c1'),
    events: [events.message('c1', 'm1', at(1)), events.message('c1', 'm2', at(2)), events.message('c1', 'm3', at(3))],
  });
  expect(calls).toEqual(['ensure m1', 'apply m1', 'apply m2', 'apply m3']);
  expect(results.map((r) => ('refused' in r ? r.refused : r.stored))).toEqual([
    true,
    { step: 'applyIncidenceChange', sqlstate: '22008', error: expect.any(String) },
    true,
  ]);
});

test('past its time budget a batch stops after the event in hand: the rest are left for the next step', async () => {
  const { recordSteps } = steps();
  let clock = 0;
  const { recordEvents } = createRecordEvents(recordSteps, () => (clock += 6_000));
  const results = await recordEvents({
    state: initialConversationState('c1'),
    events: [1, 2, 3, 4].map((n) => events.message('c1', `m${n}`, at(n))),
  });
  expect(results).toHaveLength(2);
});
